# Produces libs/survival/test/fixtures/strata-*.csv (R survival's own data sets, complete cases
# of the columns used) and libs/survival/test/strata-reference.ts: R survival's stratified
# log-rank test and Cox model, per-subgroup Cox models and the LR interaction test (contract
# stats-cli.md part 2), each case carrying the R calls that produced it. From the repository root:
#   Rscript libs/survival/test/strata-reference.R
suppressMessages({ library(survival); library(jsonlite) })
# Levels in the order R gives them in a UTF-8 locale with ICU (root collation), as the library
# sorts labels (libs/survival/src/labels.ts).
invisible(Sys.setlocale("LC_COLLATE", "C.UTF-8")); icuSetCollate(locale = "root")
dir <- "libs/survival/test/fixtures"

write_fixture <- function(name, d) {
  write.csv(d, file.path(dir, paste0("strata-", name, ".csv")), row.names = FALSE, quote = FALSE)
}
cl <- subset(colon, etype == 2 & !is.na(differ))
write_fixture("colon", data.frame(time = cl$time, status = cl$status, arm = as.character(cl$rx),
  differ = cl$differ, node4 = cl$node4, sex = ifelse(cl$sex == 1, "male", "female"),
  extent = cl$extent, age65 = ifelse(cl$age >= 65, "65+", "<65")))
write_fixture("veteran", data.frame(time = veteran$time, status = veteran$status,
  arm = ifelse(veteran$trt == 1, "standard", "test"), celltype = as.character(veteran$celltype),
  prior = veteran$prior))
pb <- subset(pbc, !is.na(trt))
write_fixture("pbc", data.frame(time = pb$time, status = as.integer(pb$status == 2),  # transplant censors
  arm = ifelse(pb$trt == 1, "D-penicillamine", "placebo"), edema = pb$edema, stage = pb$stage, sex = pb$sex))
lu <- subset(lung, !is.na(ph.ecog))
write_fixture("lung", data.frame(time = lu$time, status = lu$status - 1, arm = ifelse(lu$sex == 1, "male", "female"),
  ecog = lu$ph.ecog, inst = ifelse(is.na(lu$inst), "none", sprintf("i%02d", lu$inst)),
  age70 = ifelse(lu$age >= 70, "70+", "<70")))
# Hand-made: arm b has no death at site s2 (subgroup Cox null, interaction coefficient
# infinite), arm a has nobody at site s3 (a stratum with one arm: an aliased interaction term),
# tied times.
write_fixture("hand", data.frame(
  time   = c(1, 2, 2, 3, 4, 5, 6, 7, 8,   1, 2, 3, 3, 5, 6, 7, 9, 9, 10, 4, 6),
  status = c(1, 1, 0, 1, 1, 0, 1, 1, 0,   1, 0, 1, 1, 0, 0, 1, 0, 1, 0,  1, 0),
  arm    = c(rep("a", 9), rep("b", 12)),
  site   = c("s1", "s1", "s2", "s2", "s1", "s2", "s1", "s2", "s1",  "s1", "s2", "s1", "s3", "s2", "s1", "s3", "s2", "s1", "s2", "s3", "s3"),
  sex    = c("F", "M", "F", "M", "F", "M", "F", "M", "F",  "F", "F", "M", "M", "F", "F", "M", "F", "M", "M", "M", "F")))
# Found by a random search: R's interaction model runs out of iterations (arm b's deaths among F
# all come after arm a's F patients have left), and anova reports the log-likelihood at the last
# accepted step.
write_fixture("noconv", data.frame(
  time   = c(4, 4, 3, 2, 9, 3, 2, 8,   8, 8, 10, 4, 5, 1, 8, 10),
  status = c(1, 0, 0, 1, 0, 1, 0, 1,   1, 0, 1, 0, 1, 0, 0, 1),
  arm    = rep(c("a", "b"), each = 8),
  sex    = c("F", "M", "M", "F", "M", "M", "M", "M",   "M", "M", "F", "M", "M", "M", "F", "F")))

cols <- function(co, ci) list(coef = unname(co[, "coef"]), stdErr = unname(co[, "se(coef)"]),
  hazardRatio = unname(co[, "exp(coef)"]), lower = unname(ci[, 3]), upper = unname(ci[, 4]),
  z = unname(co[, "z"]), pValue = unname(co[, "Pr(>|z|)"]))
chisq <- function(x, df) list(chiSquare = unname(x), df = df, pValue = pchisq(unname(x), df, lower.tail = FALSE))

case <- function(name, reference, strata = c(), subgroups = c(), ties = "efron", conf.int = 0.95) {
  d <- read.csv(file.path(dir, paste0("strata-", name, ".csv")), colClasses = "character")
  d$time <- as.numeric(d$time); d$status <- as.integer(d$status)
  levs <- c(reference, sort(setdiff(unique(d$arm), reference)))
  d$arm <- factor(d$arm, levels = levs)
  k <- length(levs)
  res <- list(name = name, calls = c(sprintf("d <- read.csv('strata-%s.csv', colClasses = 'character'); arm reference '%s'", name, reference)),
              options = list(reference = reference, ties = ties, confLevel = conf.int, strata = strata, subgroups = subgroups))
  if (length(strata)) {
    sterm <- sprintf("strata(%s)", paste(strata, collapse = ", "))
    fs <- as.formula(sprintf("Surv(time, status) ~ arm + %s", sterm))
    sd <- survdiff(fs, data = d)
    cx <- coxph(fs, data = d, ties = ties)
    sm <- summary(cx, conf.int = conf.int)
    res$stratified <- list(strata = strata, logRank = chisq(sd$chisq, k - 1),
      cox = list(reference = reference, ties = ties,
        terms = c(list(group = levs[-1]), cols(sm$coefficients, sm$conf.int)),
        likelihoodRatio = chisq(2 * diff(cx$loglik), k - 1), wald = chisq(cx$wald.test, k - 1), score = chisq(cx$score, k - 1)))
    res$calls <- c(res$calls, sprintf("survdiff(Surv(time, status) ~ arm + %s, data = d)", sterm),
      sprintf("cx <- coxph(Surv(time, status) ~ arm + %s, data = d, ties = '%s'); summary(cx, conf.int = %s); 2 * diff(cx$loglik); cx$wald.test; cx$score",
              sterm, ties, conf.int))
  }
  res$subgroups <- lapply(subgroups, function(v) {
    d$v <- factor(d[[v]])
    warned <- FALSE
    fits <- withCallingHandlers(list(
      coxph(Surv(time, status) ~ arm + v, data = d, ties = ties),
      coxph(Surv(time, status) ~ arm * v, data = d, ties = ties)),
      warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
    a <- anova(fits[[1]], fits[[2]])
    inter <- if (is.na(a$Df[2])) NULL else list(chiSquare = a$Chisq[2], df = a$Df[2], pValue = a[["Pr(>|Chi|)"]][2])
    res$calls <<- c(res$calls, sprintf("anova(coxph(Surv(time, status) ~ arm + %s, data = d, ties = '%s'), coxph(Surv(time, status) ~ arm * %s, data = d, ties = '%s'))%s",
                                       v, ties, v, ties, if (warned) "  # R warns: coefficient may be infinite" else ""),
                    sprintf("per level: summary(coxph(Surv(time, status) ~ arm, data = d, ties = '%s', subset = %s == level), conf.int = %s)", ties, v, conf.int))
    lv <- lapply(levels(d$v), function(l) {
      s <- d[d$v == l, ]
      n <- as.vector(table(s$arm)); ev <- as.vector(tapply(s$status, s$arm, sum)); ev[is.na(ev)] <- 0
      # null where a group has no patient or no event, and where R warns (a monotone likelihood:
      # 'Ran out of iterations', 'coefficient may be infinite'), which the library reports as null.
      cox <- if (any(n == 0) || any(ev == 0)) NULL else {
        monotone <- FALSE
        fit <- withCallingHandlers(coxph(Surv(time, status) ~ arm, data = s, ties = ties),
                                   warning = function(w) { monotone <<- TRUE; invokeRestart("muffleWarning") })
        sm <- summary(fit, conf.int = conf.int)
        if (monotone) NULL else list(terms = c(list(group = levs[-1]), cols(sm$coefficients, sm$conf.int)))
      }
      list(level = l, n = nrow(s), events = sum(s$status), groups = list(group = levs, n = n, events = ev), cox = cox)
    })
    list(variable = v, interaction = inter, levels = lv)
  })
  res
}

cases <- list(
  case("colon", "Obs", strata = c("differ", "node4"), subgroups = c("sex", "node4", "age65", "extent")),
  case("colon", "Obs", strata = c("extent"), subgroups = c("differ"), ties = "breslow", conf.int = 0.9),
  case("veteran", "standard", strata = c("celltype"), subgroups = c("celltype", "prior")),
  case("veteran", "standard", strata = c("celltype", "prior"), subgroups = c("prior"), ties = "breslow"),
  case("pbc", "placebo", strata = c("edema"), subgroups = c("sex", "edema", "stage")),
  case("pbc", "placebo", strata = c("stage", "sex"), subgroups = c("stage"), ties = "breslow", conf.int = 0.99),
  case("lung", "male", strata = c("ecog"), subgroups = c("ecog", "age70", "inst")),
  case("lung", "male", strata = c("inst"), ties = "breslow"),
  case("hand", "a", strata = c("site"), subgroups = c("sex", "site")),
  case("hand", "a", strata = c("site", "sex"), subgroups = c("sex", "site"), ties = "breslow"),
  case("noconv", "a", subgroups = c("sex")),
  case("noconv", "b", strata = c("sex"), subgroups = c("sex"), ties = "breslow")
)

con <- file("libs/survival/test/strata-reference.ts", "w")
writeLines(c(
  "// Generated by `Rscript libs/survival/test/strata-reference.R`",
  sprintf("// with R survival %s. Each case lists the R calls that produced its numbers.", packageVersion("survival")),
  "// Arrays are column-wise (one array per field); NA is null.",
  "export const strataCases = ["), con)
for (cs in cases) {
  writeLines(paste0("  // ", cs$calls), con)
  writeLines(paste0("  ", toJSON(cs, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines("] as const;", con)
close(con)

# Seeded random small cohorts (2-3 arms, 2-3 subgroup levels, 1-3 strata, coarse times): many
# with R's warnings (infinite coefficients, out of iterations) or NA (aliased) interaction
# terms, the corners where R's coxfit6 rules decide the numbers. Kept: those R fits without error.
set.seed(20261201)
fuzz <- list()
while (length(fuzz) < 40) {
  n <- sample(c(12, 20, 40), 1); ng <- sample(2:3, 1); nl <- sample(2:3, 1); ns <- sample(1:3, 1)
  d <- data.frame(time = sample(1:sample(c(5, 15, 60), 1), n, TRUE), status = rbinom(n, 1, runif(1, 0.3, 0.9)),
    arm = sample(letters[1:ng], n, TRUE), sub = sample(paste0("L", 1:nl), n, TRUE), st = sample(paste0("S", 1:ns), n, TRUE))
  ties <- sample(c("efron", "breslow"), 1)
  if (length(unique(d$arm)) < 2 || length(unique(d$sub)) < 2) next
  d$arm <- factor(d$arm); d$sub <- factor(d$sub)
  warn <- character(0)
  r <- try(withCallingHandlers({
    f1 <- coxph(Surv(time, status) ~ arm + sub, data = d, ties = ties)
    f2 <- coxph(Surv(time, status) ~ arm * sub, data = d, ties = ties)
    a <- anova(f1, f2)
  }, warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }), silent = TRUE)
  if (inherits(r, "try-error") || (length(warn) == 0 && runif(1) < 0.7)) next
  inter <- if (is.na(a$Df[2])) NULL else list(chiSquare = a$Chisq[2], df = a$Df[2], pValue = a[["Pr(>|Chi|)"]][2])
  fuzz[[length(fuzz) + 1]] <- list(
    call = sprintf("anova(coxph(Surv(time, status) ~ arm + sub, ties = '%s'), coxph(Surv(time, status) ~ arm * sub, ties = '%s'))%s",
                   ties, ties, if (length(warn)) paste0("  # R warns: ", paste(unique(trimws(warn)), collapse = "; ")) else ""),
    ties = ties, time = d$time, status = d$status, arm = as.character(d$arm), sub = as.character(d$sub), interaction = inter)
}
con <- file("libs/survival/test/strata-reference.ts", "a")
writeLines("\nexport const interactionFuzzCases = [", con)
for (f in fuzz) {
  writeLines(paste0("  // ", f$call), con)
  writeLines(paste0("  ", toJSON(f, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines("] as const;", con)
close(con)
