# Reads an ADTTE export and prints R survival's read-out figures as JSON, for the read-out suite.
suppressPackageStartupMessages({ library(survival); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d$TRTP <- relevel(factor(d$TRTP), ref = args[2])
fit <- coxph(Surv(AVAL, CNSR == 0) ~ TRTP, data = d, ties = "efron")
s <- summary(fit)
lr <- survdiff(Surv(AVAL, CNSR == 0) ~ TRTP, data = d)
km <- lapply(levels(d$TRTP), function(g) {
  f <- survfit(Surv(AVAL, CNSR == 0) ~ 1, data = d[d$TRTP == g, ])
  list(group = g, time = f$time, surv = f$surv, nRisk = f$n.risk)
})
cat(toJSON(list(coef = unname(coef(fit)), se = unname(sqrt(diag(fit$var))), hr = unname(exp(coef(fit))),
  lrChisq = unname(lr$chisq), waldChisq = unname(fit$wald.test), km = km), digits = NA, auto_unbox = TRUE))
