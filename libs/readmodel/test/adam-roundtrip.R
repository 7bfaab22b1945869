# Reads an ADaM package back as R users will (adam-roundtrip.int-spec.ts runs it):
#   Rscript adam-roundtrip.R DIR   (DIR holds adsl.xpt, adsl.csv, adtte.xpt, adtte.csv)
# Prints one JSON document: whether each XPT holds the CSV's values, the variable labels,
# and survival's figures on the XPT ADTTE, which the spec compares with the read-out's.
suppressPackageStartupMessages({ library(haven); library(survival); library(jsonlite) })
dir <- commandArgs(TRUE)[1]
same <- function(name) {
  x <- as.data.frame(read_xpt(file.path(dir, paste0(name, ".xpt"))))
  c <- read.csv(file.path(dir, paste0(name, ".csv")), colClasses = "character", na.strings = character(0))
  bad <- character(0)
  if (!identical(names(x), names(c))) bad <- c(bad, "names")
  for (v in intersect(names(x), names(c))) {
    xv <- x[[v]]
    xs <- if (inherits(xv, "Date")) ifelse(is.na(xv), "", format(xv, "%Y-%m-%d"))
          else if (is.numeric(xv)) ifelse(is.na(xv), "", format(xv, digits = 15, trim = TRUE))
          else xv
    attributes(xs) <- NULL # haven's label
    cv <- c[[v]]
    if (is.numeric(xv)) cv <- ifelse(cv == "", "", format(as.numeric(cv), digits = 15, trim = TRUE))
    if (!identical(unname(xs), unname(cv))) bad <- c(bad, v)
  }
  list(rows = nrow(x), mismatched = bad,
       labels = lapply(x, function(col) attr(col, "label")),
       dates = names(x)[vapply(x, function(col) inherits(col, "Date"), TRUE)])
}
adtte <- as.data.frame(read_xpt(file.path(dir, "adtte.xpt")))
acm <- adtte[adtte$PARAMCD == "ACM", ]
acm$TRTP <- factor(acm$TRTP, c("control", "IABP"))
cv <- adtte[adtte$PARAMCD == "CVDEATH", ]
cv$TRTP <- factor(cv$TRTP, c("control", "IABP"))
fit <- survfit(Surv(AVAL, 1 - pmin(CNSR, 1)) ~ TRTP, data = acm)
s <- summary(fit, censored = TRUE)
cox <- summary(coxph(Surv(AVAL, CNSR == 0) ~ TRTP, data = acm, ties = "efron"))
lr <- survdiff(Surv(AVAL, CNSR == 0) ~ TRTP, data = acm)
cs <- summary(coxph(Surv(AVAL, CNSR == 0) ~ TRTP, data = cv, ties = "efron"))
out <- list(
  adsl = same("adsl"), adtte = same("adtte"),
  acm = list(
    km = data.frame(group = sub("TRTP=", "", as.character(s$strata)), time = s$time, survival = s$surv, stdErr = s$std.err),
    logRank = unname(lr$chisq),
    coef = unname(cox$coefficients[1, "coef"]), stdErr = unname(cox$coefficients[1, "se(coef)"]),
    events = unname(tapply(acm$CNSR == 0, acm$TRTP, sum))),
  cvdeath = list(
    coef = unname(cs$coefficients[1, "coef"]), stdErr = unname(cs$coefficients[1, "se(coef)"]),
    events = unname(tapply(cv$CNSR == 0, cv$TRTP, sum)), competing = unname(tapply(cv$CNSR == 5, cv$TRTP, sum))))
cat(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null"))
