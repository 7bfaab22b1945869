#!/usr/bin/env Rscript
# Checks the demo's ground truth against the paper's table with R's survival package, the
# referee for demo/stats.ts (which only searches for the seed):
#   Rscript demo/check-targets.R [demo/data/expected.json]
# Needs the survival and jsonlite packages (Debian: r-cran-survival r-cran-jsonlite).
# Exits 1 if any target is outside its tolerance.
suppressPackageStartupMessages({ library(survival); library(jsonlite) })

args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args)) args[1] else "demo/data/expected.json"
expected <- fromJSON(path)
d <- expected$patients
d$arm <- factor(d$arm, levels = c("control", "IABP"))
month <- 365.25 / 12

fit <- coxph(Surv(time, status) ~ arm, data = d, ties = "efron")
s <- summary(fit)
fu <- quantile(survfit(Surv(time, 1 - status) ~ 1, data = d), c(.25, .5, .75))$quantile / month
km <- summary(survfit(Surv(time, status) ~ arm, data = d), times = 182)
six <- setNames(1 - km$surv, sub("arm=", "", as.character(km$strata)))
rate <- function(a) 100 * sum(d$status[d$arm == a]) / (sum(d$time[d$arm == a]) / 365.25)

got <- c(
  hazardRatio = s$conf.int[1, "exp(coef)"], ciLower = s$conf.int[1, "lower .95"], ciUpper = s$conf.int[1, "upper .95"],
  p = s$coefficients[1, "Pr(>|z|)"],
  followUpMedianMonths = fu[["50"]], followUpQ1Months = fu[["25"]], followUpQ3Months = fu[["75"]],
  ratePer100PyIABP = rate("IABP"), ratePer100PyControl = rate("control"),
  sixMonthMortalityIABP = six[["IABP"]], sixMonthMortalityControl = six[["control"]]
)
t <- expected$targets
rows <- data.frame(
  target = names(got),
  paper = sapply(names(got), function(k) t[[k]]$paper),
  tolerance = sapply(names(got), function(k) t[[k]]$tolerance),
  R = round(got, 4)
)
rows$ok <- abs(rows$R - rows$paper) <= rows$tolerance + 1e-9
cat(sprintf("patients %d (IABP %d, control %d); deaths IABP %d, control %d; sites %d\n",
  nrow(d), sum(d$arm == "IABP"), sum(d$arm == "control"),
  sum(d$status[d$arm == "IABP"]), sum(d$status[d$arm == "control"]), length(unique(d$site))))
print(rows, row.names = FALSE)
if (!all(rows$ok)) quit(status = 1)
