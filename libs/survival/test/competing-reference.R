# Produces libs/survival/test/fixtures/cr-*.csv (competing-risks data sets shipped with R
# survival, and a hand-made one) and libs/survival/test/competing-reference.ts (R survival and
# cmprsk reference values for `followup stats --cause K`, each case carrying its R calls).
# Run from the repository root:
#   Rscript libs/survival/test/competing-reference.R
suppressMessages({ library(survival); library(cmprsk); library(jsonlite) })
# Factor levels in the order R gives them in a UTF-8 locale with ICU (root collation), as the
# library sorts labels (libs/survival/src/labels.ts).
invisible(Sys.setlocale("LC_COLLATE", "C.UTF-8")); icuSetCollate(locale = "root")
dir <- "libs/survival/test/fixtures"

write_fixture <- function(name, time, status, arm) {
  d <- data.frame(time = time, status = as.integer(status), arm = as.character(arm))
  write.csv(d, file.path(dir, paste0("cr-", name, ".csv")), row.names = FALSE, quote = FALSE)
}
# pbc, randomised patients: 1 = transplant, 2 = death.
p <- pbc[!is.na(pbc$trt), ]
write_fixture("pbc", p$time, p$status, ifelse(p$trt == 1, "dpca", "placebo"))
# pbc, all patients by edema (three groups).
write_fixture("pbc-edema", pbc$time, pbc$status, paste0("edema", pbc$edema))
# mgus2: progression to a plasma cell malignancy (1) before death (2), by sex; months, many ties.
etime <- with(mgus2, ifelse(pstat == 0, futime, ptime))
event <- with(mgus2, ifelse(pstat == 0, 2 * death, 1))
write_fixture("mgus2", etime, event, mgus2$sex)
# Hand-made: ties between causes and with censorings, three causes, a censoring at time 0.
write_fixture("edge", c(0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7,   1, 2, 2, 3, 3, 3, 5, 6, 6, 8),
                      c(0, 1, 2, 0, 1, 2, 1, 0, 3, 1, 0,   2, 1, 1, 0, 2, 1, 3, 2, 0, 1),
                      c(rep("a", 11), rep("b", 10)))

num <- function(x) lapply(x, function(v) if (is.na(v) || is.nan(v)) NA else v)

case <- function(name, cause, ties = "efron", at = c(), conf.int = 0.95) {
  d <- read.csv(file.path(dir, paste0("cr-", name, ".csv")))
  d$arm <- factor(d$arm)
  causes <- sort(unique(d$status[d$status > 0]))
  levs <- levels(d$arm)
  calls <- c(sprintf("d <- read.csv('cr-%s.csv'); d$arm <- factor(d$arm); causes <- c(%s)", name, paste(causes, collapse = ", ")),
             sprintf("fit <- survfit(Surv(time, factor(status, c(0, causes))) ~ 1, data = d[d$arm == level, ], conf.int = %s); s <- summary(fit)",
                     conf.int))
  groups <- lapply(levs, function(g) {
    fit <- survfit(Surv(time, factor(status, c(0, causes))) ~ 1, data = d[d$arm == g, ], conf.int = conf.int)
    k <- which(fit$states == as.character(cause))
    s <- summary(fit)
    out <- list(group = g, events = sum(d$arm == g & d$status == cause),
      cif = list(time = s$time, nRisk = s$n.risk[, 1], nEvent = s$n.event[, k], estimate = s$pstate[, k],
                 stdErr = s$std.err[, k], lower = num(s$lower[, k]), upper = num(s$upper[, k])))
    if (length(at)) {
      a <- summary(fit, times = at, extend = TRUE)
      out$at <- list(time = a$time, estimate = a$pstate[, k], stdErr = a$std.err[, k],
                     lower = num(a$lower[, k]), upper = num(a$upper[, k]))
    }
    out
  })
  if (length(at)) calls <- c(calls, sprintf("summary(fit, times = c(%s), extend = TRUE)", paste(at, collapse = ", ")))
  tests <- cuminc(d$time, d$status, d$arm, cencode = 0)$Tests
  gray <- list(chiSquare = tests[as.character(cause), "stat"], df = tests[as.character(cause), "df"],
               pValue = tests[as.character(cause), "pv"])
  calls <- c(calls, sprintf("cmprsk::cuminc(d$time, d$status, d$arm, cencode = 0)$Tests['%s', ]", cause))
  cx <- coxph(Surv(time, status == cause) ~ arm, data = d, ties = ties)
  sm <- summary(cx, conf.int = conf.int); co <- sm$coefficients; ci <- sm$conf.int; df <- length(levs) - 1
  cox <- list(reference = levs[1], ties = ties,
    terms = list(group = levs[-1], coef = unname(co[, "coef"]), stdErr = unname(co[, "se(coef)"]),
                 hazardRatio = unname(co[, "exp(coef)"]), lower = unname(ci[, 3]), upper = unname(ci[, 4]),
                 z = unname(co[, "z"]), pValue = unname(co[, "Pr(>|z|)"])),
    likelihoodRatio = list(chiSquare = 2 * diff(cx$loglik), df = df,
                           pValue = pchisq(2 * diff(cx$loglik), df, lower.tail = FALSE)),
    wald = list(chiSquare = unname(cx$wald.test), df = df, pValue = pchisq(unname(cx$wald.test), df, lower.tail = FALSE)),
    score = list(chiSquare = unname(cx$score), df = df, pValue = pchisq(unname(cx$score), df, lower.tail = FALSE)))
  calls <- c(calls, sprintf("cx <- coxph(Surv(time, status == %s) ~ arm, data = d, ties = '%s'); summary(cx, conf.int = %s); %s",
                            cause, ties, conf.int, "2 * diff(cx$loglik); cx$wald.test; cx$score"))
  fg <- finegray(Surv(time, factor(status, c(0, causes))) ~ ., data = d, etype = cause)
  fgfit <- coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = fg, ties = ties)
  fs <- summary(fgfit, conf.int = conf.int); fco <- fs$coefficients; fci <- fs$conf.int
  fineGray <- list(reference = levs[1],
    terms = list(group = levs[-1], coef = unname(fco[, "coef"]), stdErr = unname(fco[, "robust se"]),
                 hazardRatio = unname(fco[, "exp(coef)"]), lower = unname(fci[, 3]), upper = unname(fci[, 4]),
                 z = unname(fco[, "z"]), pValue = unname(fco[, "Pr(>|z|)"])))
  calls <- c(calls, sprintf("fg <- finegray(Surv(time, factor(status, c(0, causes))) ~ ., data = d, etype = %s)", cause),
             sprintf("summary(coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = fg, ties = '%s'), conf.int = %s)",
                     ties, conf.int))
  list(name = name, calls = calls, options = list(cause = cause, ties = ties, at = at, confLevel = conf.int),
       causes = causes, groups = groups, gray = gray, causeSpecificCox = cox, fineGray = fineGray)
}

cases <- list(
  case("pbc", 2, "efron", at = c(0, 41, 500, 1000, 2000, 5000)),
  case("pbc", 1, "breslow", at = c(1000, 3000)),
  case("pbc-edema", 2, "efron", at = c(365, 1461)),
  case("mgus2", 1, "efron", at = c(60, 120, 240, 500)),
  case("mgus2", 2, "breslow"),
  case("mgus2", 1, "breslow", at = c(120), conf.int = 0.9),
  case("edge", 1, "efron", at = c(0, 0.5, 1, 2.5, 9)),
  case("edge", 2, "breslow", at = c(3)),
  case("edge", 3, "efron", at = c(1, 5))
)

# Random small data sets (2-3 groups, 2-3 causes, heavy ties, times from 0), each run through
# the same R calls; cases where R warns (an infinite coefficient) or coxph gives no robust se
# (all finegray weights integer) are left out.
set.seed(42)
random <- list()
for (r in 1:40) {
  n <- sample(c(8, 15, 30, 60, 120), 1); k <- sample(2:3, 1); nc <- sample(2:3, 1)
  time <- sample(0:sample(c(5, 20, 100), 1), n, TRUE)
  status <- sample(0:nc, n, TRUE, prob = c(0.3, rep(0.7 / nc, nc)))
  d <- data.frame(time = time, status = status, arm = factor(sample(letters[1:k], n, TRUE)))
  causes <- sort(unique(status[status > 0])); K <- causes[1]
  ties <- sample(c("efron", "breslow"), 1)
  res <- tryCatch({
    groups <- lapply(levels(d$arm), function(g) {
      fit <- survfit(Surv(time, factor(status, c(0, causes))) ~ 1, data = d[d$arm == g, ])
      j <- which(fit$states == as.character(K)); s <- summary(fit)
      a <- summary(fit, times = c(0, 3, 10), extend = TRUE)
      list(group = g,
           cif = list(time = s$time, nRisk = s$n.risk[, 1], nEvent = s$n.event[, j], estimate = s$pstate[, j],
                      stdErr = s$std.err[, j], lower = num(s$lower[, j]), upper = num(s$upper[, j])),
           at = list(time = a$time, estimate = a$pstate[, j], stdErr = a$std.err[, j], lower = num(a$lower[, j]), upper = num(a$upper[, j])))
    })
    tests <- cuminc(d$time, d$status, d$arm, cencode = 0)$Tests
    cx <- summary(coxph(Surv(time, status == K) ~ arm, data = d, ties = ties))$coefficients
    fg <- finegray(Surv(time, factor(status, c(0, causes))) ~ ., data = d, etype = K)
    fco <- summary(coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = fg, ties = ties))$coefficients
    if (!("robust se" %in% colnames(fco))) stop("no robust se")
    list(name = sprintf("random %d", r), cause = K, ties = ties, at = c(0, 3, 10),
         data = list(time = d$time, status = d$status, arm = as.character(d$arm)), groups = groups,
         gray = list(chiSquare = tests[as.character(K), "stat"], pValue = tests[as.character(K), "pv"]),
         causeSpecificCox = list(coef = unname(cx[, "coef"]), stdErr = unname(cx[, "se(coef)"])),
         fineGray = list(coef = unname(fco[, "coef"]), stdErr = unname(fco[, "robust se"]), pValue = unname(fco[, "Pr(>|z|)"])))
  }, error = function(e) NULL, warning = function(w) NULL)
  if (!is.null(res)) random[[length(random) + 1]] <- res
}

con <- file("libs/survival/test/competing-reference.ts", "w")
writeLines(c(
  "// Generated by `Rscript libs/survival/test/competing-reference.R` with R survival and cmprsk;",
  sprintf("// survival %s, cmprsk %s. Each case lists the R calls that produced its numbers.",
          packageVersion("survival"), packageVersion("cmprsk")),
  "// Arrays are column-wise (one array per field); NA is null.",
  "export const competingCases = ["), con)
for (cs in cases) {
  writeLines(paste0("  // ", cs$calls), con)
  writeLines(paste0("  ", toJSON(cs, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines("] as const;\n", con)
writeLines(c(
  "// set.seed(42); per data set d (data inline), K = its smallest cause, the same R calls as above:",
  "// summary(survfit(Surv(time, factor(status, c(0, causes))) ~ 1, data = d[d$arm == level, ])), and with times = c(0, 3, 10);",
  "// cmprsk::cuminc(d$time, d$status, d$arm, cencode = 0)$Tests; coxph(Surv(time, status == K) ~ arm, ties);",
  "// coxph(Surv(fgstart, fgstop, fgstatus) ~ arm, weight = fgwt, data = finegray(..., etype = K), ties) (coef, robust se, p)",
  "export const randomCompetingCases = ["), con)
for (cs in random) writeLines(paste0("  ", toJSON(cs, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), ","), con)
writeLines("] as const;", con)
close(con)
