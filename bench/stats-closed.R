# The R side of `npm run bench:stats`'s closed-report read-out: what `followup stats --json
# --strata region --subgroups sex,age,region --cause 1` computes (contract stats-cli.md part 2)
# on the same CSV, as one whole Rscript process (reading the file included).
# Usage: Rscript bench/stats-closed.R FILE.csv [finegray|no-finegray]
# finegray expands the data to about one row per subject per later competing-event time (20,000
# rows: 3.5 million), so at 300,000 rows it does not fit in memory: the bench runs R without it
# there (R's time is then a lower bound) and with it on a smaller cohort.
suppressMessages({ library(survival); library(cmprsk) })
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$ev <- as.integer(d$status > 0)                                   # all-cause: any code above 0
# Part 1 (all-cause), as bench/stats.R without --tau.
fit <- survfit(Surv(time, ev) ~ arm, data = d)
km <- summary(fit, censored = TRUE)
med <- quantile(fit, 0.5)
lr <- survdiff(Surv(time, ev) ~ arm, data = d)
cx <- summary(coxph(Surv(time, ev) ~ factor(arm), data = d, ties = "efron"))
fu <- quantile(survfit(Surv(time, 1 - ev) ~ 1, data = d), c(.25, .5, .75))
# --strata region
slr <- survdiff(Surv(time, ev) ~ arm + strata(region), data = d)
scx <- summary(coxph(Surv(time, ev) ~ factor(arm) + strata(region), data = d, ties = "efron"))
# --subgroups sex,age,region: per level Cox, and the LR interaction test
sub <- lapply(c("sex", "age", "region"), function(v) {
  lv <- sort(unique(d[[v]]))
  per <- sapply(lv, function(l) coef(coxph(Surv(time, ev) ~ factor(arm), data = d[d[[v]] == l, ], ties = "efron")))
  m0 <- coxph(as.formula(paste("Surv(time, ev) ~ factor(arm) + factor(", v, ")")), data = d, ties = "efron")
  m1 <- coxph(as.formula(paste("Surv(time, ev) ~ factor(arm) * factor(", v, ")")), data = d, ties = "efron")
  c(per, anova(m0, m1)[2, "Chisq"])
})
# --cause 1: Aalen-Johansen per arm, Gray's test, cause-specific Cox, Fine-Gray (robust se)
aj <- lapply(split(d, d$arm), function(g) summary(survfit(Surv(time, factor(status, c(0, 1, 2))) ~ 1, data = g)))
gray <- cuminc(d$time, d$status, d$arm, cencode = 0)$Tests
cs <- summary(coxph(Surv(time, status == 1) ~ factor(arm), data = d, ties = "efron"))
fgcoef <- NA
if (length(args) < 2 || args[2] != "no-finegray") {
  d$fst <- factor(d$status, c(0, 1, 2))
  fg <- finegray(Surv(time, fst) ~ ., data = d[, c("time", "fst", "arm")], etype = "1")
  fgcoef <- summary(coxph(Surv(fgstart, fgstop, fgstatus) ~ factor(arm), weight = fgwt, data = fg, ties = "efron"))$coefficients[1, c(1, 4)]
}
cat(length(km$time), lr$chisq, slr$chisq, scx$coefficients[1, 1], unlist(sub), length(aj[[1]]$time), gray[1, 1],
    cs$coefficients[1, 1], fgcoef, "\n")
