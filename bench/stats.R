# The R side of `npm run bench:stats`: the same read-out as `followup stats --json --tau TAU`
# on the same CSV, as a whole Rscript process (reading the file included).
# Usage: Rscript bench/stats.R FILE.csv TAU
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
tau <- as.numeric(args[2])
fit <- survfit(Surv(time, status) ~ arm, data = d)                 # KM, Greenwood, log CI
km <- summary(fit, censored = TRUE)                                # every row, censored ones too
med <- quantile(fit, 0.5)                                          # medians with CI
rm <- summary(fit, rmean = tau)$table[, c("rmean", "se(rmean)")]   # RMST
lr <- survdiff(Surv(time, status) ~ arm, data = d)                 # log-rank
cx <- summary(coxph(Surv(time, status) ~ factor(arm), data = d, ties = "efron"))
fu <- quantile(survfit(Surv(time, 1 - status) ~ 1, data = d), c(.25, .5, .75))  # reverse KM
cat(length(km$time), med$quantile, rm[, 1], lr$chisq, cx$coefficients[1, 1], fu$quantile, "\n")
