# Produces libs/survival/test/fixtures/*.csv (public data sets shipped with R survival) and
# libs/survival/test/r-reference.ts (R survival / rpact reference values, each case carrying
# the R calls that produced it). Run from the repository root:
#   Rscript libs/survival/test/reference.R
suppressMessages({ library(survival); library(rpact); library(jsonlite) })
# Factor levels in the order R gives them in a UTF-8 locale with ICU (root collation), as the
# library sorts labels (libs/survival/src/labels.ts).
invisible(Sys.setlocale("LC_COLLATE", "C.UTF-8")); icuSetCollate(locale = "root")
dir <- "libs/survival/test/fixtures"

write_fixture <- function(name, time, status, arm) {
  d <- data.frame(time = time, status = as.integer(status), arm = as.character(arm))
  write.csv(d, file.path(dir, paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
}
write_fixture("aml", aml$time, aml$status, aml$x)
write_fixture("lung", lung$time, lung$status - 1, ifelse(lung$sex == 1, "male", "female"))
write_fixture("veteran", veteran$time, veteran$status, veteran$celltype)
write_fixture("ovarian", ovarian$futime, ovarian$fustat, paste0("rx", ovarian$rx))
# Hand-made: a: censorings tied with events and a curve reaching 0; b: S = 0.5 flat up to the
# last time (median = midpoint with the last time); c: S = 0.5 flat on [2, 4) (median 3).
write_fixture("edge", c(1, 1, 2, 2, 2, 3, 4,   1, 2, 3, 3,   1, 2, 4, 5),
                      c(1, 0, 1, 1, 0, 1, 1,   1, 1, 0, 0,   1, 1, 1, 0),
                      c(rep("a", 7), rep("b", 4), rep("c", 4)))

na <- function(x) if (length(x) == 0 || is.na(x) || is.nan(x)) NULL else x
num <- function(x) lapply(x, function(v) if (is.na(v) || is.nan(v)) NA else v)

case <- function(name, conf.type = "log", conf.int = 0.95, ties = "efron", at = c(), tau = NULL, groups = TRUE) {
  d <- read.csv(file.path(dir, paste0(name, ".csv")))
  d$arm <- factor(d$arm)
  calls <- c()
  fml <- if (groups) Surv(time, status) ~ arm else Surv(time, status) ~ 1
  fit <- survfit(fml, data = d, conf.type = conf.type, conf.int = conf.int)
  calls <- c(calls, sprintf("fit <- survfit(%s, data = %s.csv, conf.type = '%s', conf.int = %s)",
                            deparse(fml), name, conf.type, conf.int),
             "summary(fit, censored = TRUE); quantile(fit, 0.5)")
  levs <- if (groups) levels(d$arm) else "all"
  out <- list()
  for (i in seq_along(levs)) {
    f <- if (groups) fit[i] else fit
    s <- summary(f, censored = TRUE)
    q <- quantile(f, 0.5)
    g <- list(group = levs[i], n = f$n, events = sum(f$n.event),
      km = list(time = s$time, nRisk = s$n.risk, nEvent = s$n.event, nCensor = s$n.censor,
                survival = s$surv, stdErr = num(s$std.err), lower = num(s$lower), upper = num(s$upper)),
      median = list(estimate = na(unname(q$quantile)), lower = na(unname(q$lower)), upper = na(unname(q$upper))))
    if (length(at)) {
      a <- summary(f, times = at, extend = TRUE)
      g$at <- list(time = a$time, nRisk = a$n.risk, survival = a$surv, stdErr = num(a$std.err),
                   lower = num(a$lower), upper = num(a$upper))
    }
    if (!is.null(tau)) {
      tb <- summary(f, rmean = tau)$table
      g$rmst <- list(tau = tau, estimate = unname(tb["rmean"]), stdErr = unname(tb["se(rmean)"]))
    }
    out[[i]] <- g
  }
  if (length(at)) calls <- c(calls, sprintf("summary(fit, times = c(%s), extend = TRUE)", paste(at, collapse = ", ")))
  if (!is.null(tau)) calls <- c(calls, sprintf("summary(fit, rmean = %s)$table[, c('rmean', 'se(rmean)')]", tau))
  res <- list(name = name, calls = NULL,
              options = list(confType = conf.type, confLevel = conf.int, ties = ties, at = at, tau = tau),
              groups = out)
  if (groups) {
    sd <- survdiff(Surv(time, status) ~ arm, data = d)
    df <- length(levs) - 1
    res$logRank <- list(chiSquare = sd$chisq, df = df, pValue = pchisq(sd$chisq, df, lower.tail = FALSE))
    cx <- coxph(Surv(time, status) ~ arm, data = d, ties = ties)
    sm <- summary(cx, conf.int = conf.int)
    co <- sm$coefficients; ci <- sm$conf.int
    res$cox <- list(reference = levs[1], ties = ties,
      terms = list(group = levs[-1], coef = unname(co[, "coef"]), stdErr = unname(co[, "se(coef)"]),
                   hazardRatio = unname(co[, "exp(coef)"]), lower = unname(ci[, 3]), upper = unname(ci[, 4]),
                   z = unname(co[, "z"]), pValue = unname(co[, "Pr(>|z|)"])),
      # summary(cx)$waldtest rounds the statistic for printing; take the full-precision ones
      # it is computed from (as summary.coxph does: 2 diff(loglik), wald.test, score).
      likelihoodRatio = list(chiSquare = 2 * diff(cx$loglik), df = df, pValue = pchisq(2 * diff(cx$loglik), df, lower.tail = FALSE)),
      wald = list(chiSquare = unname(cx$wald.test), df = df, pValue = pchisq(unname(cx$wald.test), df, lower.tail = FALSE)),
      score = list(chiSquare = unname(cx$score), df = df, pValue = pchisq(unname(cx$score), df, lower.tail = FALSE)))
    calls <- c(calls, "survdiff(Surv(time, status) ~ arm, data = d)",
               sprintf("cx <- coxph(Surv(time, status) ~ arm, data = d, ties = '%s'); summary(cx, conf.int = %s); 2 * diff(cx$loglik); cx$wald.test; cx$score", ties, conf.int))
  }
  rq <- quantile(survfit(Surv(time, 1 - status) ~ 1, data = d), c(.25, .5, .75))$quantile
  res$followUp <- list(method = "reverse-km", median = na(unname(rq[2])), q1 = na(unname(rq[1])), q3 = na(unname(rq[3])))
  calls <- c(calls, "quantile(survfit(Surv(time, 1 - status) ~ 1, data = d), c(.25, .5, .75))")
  res$calls <- calls
  res
}

cases <- list(
  case("aml", at = c(0, 5, 12, 30, 100), tau = 48),
  case("aml", conf.type = "log-log", conf.int = 0.9, ties = "breslow", at = c(9, 23)),
  case("aml", conf.type = "plain", conf.int = 0.99, tau = 161),
  case("lung", at = c(182.5, 365, 730), tau = 730),
  case("lung", conf.type = "log-log", conf.int = 0.8, ties = "breslow"),
  case("lung", conf.type = "plain", conf.int = 0.9),
  case("veteran", at = c(30, 90, 180), tau = 365),
  case("veteran", ties = "breslow", conf.type = "log-log"),
  case("ovarian", tau = 1000, at = c(365, 1000)),
  case("edge", at = c(0.5, 1, 2.5, 4, 7), tau = 6),
  case("edge", conf.type = "log-log", ties = "breslow"),
  case("edge", conf.type = "plain", conf.int = 0.8),
  case("lung", groups = FALSE, at = c(365), tau = 500)
)

designs <- list(
  list(info = c(0.5, 0.75, 1), alpha = 0.05, sided = 2, spending = "obrien-fleming"),
  list(info = c(0.5, 0.75, 1), alpha = 0.025, sided = 1, spending = "obrien-fleming"),
  list(info = c(0.25, 0.5, 0.75, 1), alpha = 0.05, sided = 2, spending = "pocock"),
  list(info = c(0.2, 0.45, 0.8, 1), alpha = 0.025, sided = 1, spending = "pocock"),
  list(info = c(0.3, 0.6, 0.9), alpha = 0.05, sided = 2, spending = "obrien-fleming"),
  list(info = c(0.2, 0.4, 0.7, 1), alpha = 0.01, sided = 1, spending = "obrien-fleming"),
  list(info = c(1), alpha = 0.05, sided = 2, spending = "pocock"),
  # A first look at 10% of the information: its two-sided bound is above 6, where rpact clips
  # the lower bound only from the second look on.
  list(info = seq(0.1, 1, by = 0.1), alpha = 0.05, sided = 2, spending = "obrien-fleming"),
  list(info = c(0.1, 0.2, 1), alpha = 0.025, sided = 1, spending = "obrien-fleming"),
  # Bounds of 7.5 or more, which rpact reports as Inf (NA here): the first two of these looks;
  # the second cannot spend as little as it may, and what it crosses with counts as spent.
  list(info = seq(0.1, 1, by = 0.1), alpha = 0.01, sided = 2, spending = "obrien-fleming"),
  list(info = c(0.085, 1), alpha = 0.05, sided = 2, spending = "obrien-fleming"),
  # One look: a fixed design, all of alpha spent whatever its rate.
  list(info = c(0.97), alpha = 0.025, sided = 1, spending = "obrien-fleming")
)
bounds <- lapply(designs, function(ds) {
  tod <- if (ds$spending == "pocock") "asP" else "asOF"
  call <- if (length(ds$info) == 1) sprintf("getDesignGroupSequential(kMax = 1, alpha = %s, sided = %d)", ds$alpha, ds$sided)
          else sprintf("getDesignGroupSequential(kMax = %d, alpha = %s, sided = %d, informationRates = c(%s), typeOfDesign = '%s')",
                       length(ds$info), ds$alpha, ds$sided, paste(ds$info, collapse = ", "), tod)
  g <- if (length(ds$info) == 1) getDesignGroupSequential(kMax = 1, alpha = ds$alpha, sided = ds$sided)
       else getDesignGroupSequential(kMax = length(ds$info), alpha = ds$alpha, sided = ds$sided,
                                     informationRates = ds$info, typeOfDesign = tod)
  list(call = call, options = ds,
       looks = list(info = ds$info, z = g$criticalValues, nominalP = g$stageLevels, cumulativeAlpha = g$alphaSpent))
})

con <- file("libs/survival/test/r-reference.ts", "w")
writeLines(c(
  "// Generated by `Rscript libs/survival/test/reference.R` with R survival 3.5 and rpact;",
  sprintf("// survival %s, rpact %s. Each case lists the R calls that produced its numbers.",
          packageVersion("survival"), packageVersion("rpact")),
  "// Arrays are column-wise (one array per field); NA is null.",
  "export const survivalCases = ["), con)
for (cs in cases) {
  writeLines(paste0("  // ", cs$calls), con)
  writeLines(paste0("  ", toJSON(cs, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines("] as const;\n\nexport const boundaryCases = [", con)
for (b in bounds) {
  writeLines(paste0("  // ", b$call), con)
  writeLines(paste0("  ", toJSON(b, auto_unbox = TRUE, digits = NA), ","), con)
}
writeLines("] as const;", con)
close(con)
