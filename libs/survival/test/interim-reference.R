# Produces libs/survival/test/interim-reference.ts: rpact's getAnalysisResults for the cases of
# `followup interim` (contract part 3 of shared/contracts/stats-cli.md), each case carrying the
# R calls that produced its numbers. Run from the repository root:
#   Rscript libs/survival/test/interim-reference.R
suppressMessages({ library(rpact); library(jsonlite) })
setLogLevel("DISABLED")

spend <- c("obrien-fleming" = "asOF", "pocock" = "asP")
bspend <- c("obrien-fleming" = "bsOF", "pocock" = "bsP")
fmt <- function(x) paste0("c(", paste(format(x, digits = 17), collapse = ", "), ")")

rates_of <- function(N, E, looks) {
  reached <- which(E >= N)
  den <- if (length(reached)) E[reached[1]] else N
  r <- E / den
  rest <- looks[-seq_len(length(E))]
  r <- c(r, rest[rest > max(r) & rest <= 1])
  if (max(r) < 1) r <- c(r, 1)
  r
}

interim_case <- function(name, N, E, Z, looks = 1, alpha = 0.025, sided = 1, spending = "obrien-fleming",
                         futility = "none", beta = 0.2, hr1 = NA, allocation = 1) {
  rates <- rates_of(N, E, looks)
  k <- length(rates)
  dargs <- sprintf("kMax = %d, alpha = %s, sided = %d, informationRates = %s, typeOfDesign = '%s'",
                   k, alpha, sided, fmt(rates), spend[[spending]])
  if (futility != "none") dargs <- paste0(dargs, sprintf(", beta = %s, typeBetaSpending = '%s', bindingFutility = FALSE", beta, bspend[[futility]]))
  calls <- sprintf("design <- getDesignGroupSequential(%s)", dargs)
  design <- eval(parse(text = calls[1]))
  calls <- c(calls, sprintf("data <- getDataset(overallEvents = %s, overallLogRanks = %s, overallAllocationRatios = rep(%s, %d))",
                            fmt(E), fmt(Z), allocation, length(E)))
  data <- eval(parse(text = calls[2]))
  np <- if (length(E) < k) diff(c(max(E), N * rates[(length(E) + 1):k])) else NA
  npText <- if (length(E) < k) sprintf(", nPlanned = %s", fmt(np)) else ""
  h1 <- if (is.na(hr1) || length(E) == k) "" else sprintf(", thetaH1 = %s", hr1)
  calls <- c(calls, sprintf("res <- getAnalysisResults(design, data, directionUpper = FALSE%s%s, allocationRatioPlanned = %s)",
                            h1, npText, allocation),
             sprintf("trend <- getAnalysisResults(design, data, directionUpper = FALSE%s, allocationRatioPlanned = %s)", npText, allocation))
  res <- eval(parse(text = calls[3]))
  trend <- eval(parse(text = calls[4]))
  v <- function(x, n = k) { x <- as.numeric(x); if (length(x) < n) x <- c(x, rep(NA, n - length(x))); x }
  fut <- if (futility == "none") rep(NA, k) else c(design$futilityBounds, NA)
  fs <- if (is.null(res$finalStage) || length(res$finalStage) == 0) NA else res$finalStage
  list(name = name, calls = calls,
       options = list(plannedEvents = N, events = E, z = Z, looks = looks, alpha = alpha, sided = sided,
                      spending = spending, futility = futility, beta = beta, hr1 = if (is.na(hr1)) NULL else hr1,
                      allocation = allocation),
       info = rates, efficacyZ = design$criticalValues, futilityZ = fut, cumulativeAlpha = design$alphaSpent,
       action = as.character(res$testActions)[seq_along(E)],
       repeatedCiLower = v(res$repeatedConfidenceIntervalLowerBounds)[seq_along(E)],
       repeatedCiUpper = v(res$repeatedConfidenceIntervalUpperBounds)[seq_along(E)],
       repeatedP = v(res$repeatedPValues)[seq_along(E)],
       conditionalPower = if (is.na(hr1) || length(E) == k) NULL else v(res$conditionalPower),
       crp = if (k > length(E)) v(res$conditionalRejectionProbabilities)[length(E)] else NA,
       trendHr = if (length(E) < k) trend$thetaH1 else NA, trendPower = if (length(E) < k) v(trend$conditionalPower)[k] else NA,
       finalStage = fs,
       final = if (is.na(fs)) NULL else list(pValue = v(res$finalPValues)[fs],
                   lower = v(res$finalConfidenceIntervalLowerBounds)[fs], upper = v(res$finalConfidenceIntervalUpperBounds)[fs],
                   medianUnbiased = v(res$medianUnbiasedEstimates)[fs]))
}

cases <- list(
  interim_case("contract example: OF, OF futility, one look taken", 120, 40, -1.1, c(1/3, 2/3, 1), futility = "obrien-fleming", hr1 = 0.7),
  interim_case("Pocock, unplanned fractions, 2:1 allocation", 200, c(55, 118), c(-1.4, -2.1), c(0.25, 0.5, 0.75, 1), spending = "pocock", hr1 = 0.75, allocation = 2),
  interim_case("two-sided OF, crosses at look 2", 150, c(60, 100), c(-1.9, -2.9), c(0.4, 0.7, 1), alpha = 0.05, sided = 2, hr1 = 0.7),
  interim_case("two-sided OF, continue, z positive", 150, c(60), c(0.7), c(0.4, 0.7, 1), alpha = 0.05, sided = 2, hr1 = 0.7),
  interim_case("Pocock crosses at look 1", 100, 50, -2.8, c(0.5, 1), spending = "pocock", hr1 = 0.6),
  interim_case("final analysis, OF with Pocock futility beta 0.1", 100, c(34, 67, 100), c(-0.9, -1.6, -2.1), c(1/3, 2/3, 1), futility = "pocock", beta = 0.1, hr1 = 0.65),
  interim_case("planned events exceeded at look 2", 100, c(45, 104), c(-1.2, -2.3), c(0.5, 1), hr1 = 0.7),
  interim_case("futility crossed (OF beta spending)", 120, 40, 0.8, c(1/3, 2/3, 1), futility = "obrien-fleming", hr1 = 0.7),
  interim_case("default looks, no hr1, Pocock futility", 100, 60, -1.5, futility = "pocock"),
  interim_case("OF, 3 looks taken of 4, 3:2 allocation, crossing at look 3", 300, c(80, 160, 230), c(-1.3, -2.2, -3.1), c(0.25, 0.5, 0.75, 1), hr1 = 0.7, allocation = 1.5),
  interim_case("single-look design at the planned events", 100, 100, -2.1),
  interim_case("small information increment (0.97 to 1), Pocock futility", 100, c(50, 97), c(-1.5, -1.9), c(0.5, 1), futility = "pocock", beta = 0.3, hr1 = 0.7),
  interim_case("four looks of five taken, last at 0.95", 200, c(40, 120, 190), c(-0.6, -1.7, -2.0), c(0.2, 0.6, 0.95, 1), spending = "pocock", futility = "pocock", beta = 0.4, hr1 = 0.75),
  interim_case("two-sided Pocock, final analysis, 1:2 allocation", 90, c(30, 60, 90), c(-1.0, -1.5, -2.2), c(1/3, 2/3, 1), alpha = 0.05, sided = 2, spending = "pocock", allocation = 0.5)
)

# Property-style cases: seeded random designs and looks (spending, futility, sides, allocation,
# fractions taken off the plan, z drifting toward benefit).
set.seed(20261201)
for (i in 1:10) {
  K <- sample(2:4, 1)
  planned <- sort(round(runif(K - 1, 0.15, 0.9), 2))
  while (any(diff(planned) < 0.08)) planned <- sort(round(runif(K - 1, 0.15, 0.9), 2))
  looks <- c(planned, 1)
  N <- sample(c(80, 120, 200, 350), 1)
  taken <- sample(1:(K - 1), 1)
  E <- sort(unique(pmax(5, round(N * (looks[1:taken] + runif(taken, -0.07, 0.07))))))
  E <- E[E < N]
  Z <- -sqrt(E / N) * 2.5 * runif(1, 0.2, 1.3) + rnorm(length(E), 0, 0.3)
  sided <- sample(1:2, 1, prob = c(0.7, 0.3))
  futility <- if (sided == 1) sample(c("none", "obrien-fleming", "pocock"), 1) else "none"
  cases[[length(cases) + 1]] <- interim_case(sprintf("seeded case %d", i), N, E, round(Z, 3), looks,
    alpha = if (sided == 1) 0.025 else 0.05, sided = sided, spending = sample(c("obrien-fleming", "pocock"), 1),
    futility = futility, beta = sample(c(0.1, 0.2), 1), hr1 = sample(c(0.6, 0.7, 0.8), 1),
    allocation = sample(c(1, 1, 2, 1.5, 0.5), 1))
}

# Small information increments (looks 0.01 to 0.03 apart): rpact takes the probability of
# reaching a look from the previous look's pnorm sums, not from its quadrature grid's mass, and
# the two part when the increment is small against the grid's step.
cases <- c(cases, list(
  interim_case("two looks 0.01 apart, OF futility", 200, c(134, 136), c(-1.2, -1.4), c(0.67, 0.68, 0.7, 1), futility = "obrien-fleming", hr1 = 0.7),
  interim_case("looks 0.3 and 0.31 taken, OF with OF futility beta 0.3", 100, c(30, 31), c(-0.5, -0.6), c(0.3, 0.31, 0.79, 1), futility = "obrien-fleming", beta = 0.3, hr1 = 0.7),
  interim_case("two-sided Pocock, looks 0.6 and 0.62 taken", 100, c(60, 62), c(-1.1, -1.3), c(0.6, 0.62, 1), alpha = 0.05, sided = 2, spending = "pocock", hr1 = 0.75)
))

# Designs rpact refuses: a futility bound within 0.01 of the efficacy bound at an interim look
# (a look taken just before the planned events, a large beta). getDesignGroupSequential stops
# with "'futilityBounds' (...) too extreme for this situation"; its betaAdjustment applies to
# two-sided beta spending only. Each refusal keeps the call and rpact's message.
refusal <- function(name, N, E, looks, alpha = 0.025, spending = "pocock", futility = "pocock", beta = 0.1) {
  rates <- rates_of(N, E, looks)
  call <- sprintf("design <- getDesignGroupSequential(kMax = %d, alpha = %s, sided = 1, informationRates = %s, typeOfDesign = '%s', beta = %s, typeBetaSpending = '%s', bindingFutility = FALSE)",
                  length(rates), alpha, fmt(rates), spend[[spending]], beta, bspend[[futility]])
  message <- tryCatch({ eval(parse(text = call)); NA }, error = function(e) conditionMessage(e))
  if (is.na(message)) stop("rpact accepted the design of refusal case ", name)
  list(name = name, calls = call, options = list(plannedEvents = N, events = E, looks = looks, alpha = alpha,
       spending = spending, futility = futility, beta = beta), message = message)
}
refusals <- list(
  refusal("look at 98 of 100 events, Pocock both, beta 0.1", 100, 98, 1),
  refusal("look at 98 of 100 events, OF alpha, Pocock futility beta 0.02", 100, 98, 1, spending = "obrien-fleming", beta = 0.02),
  refusal("look at 196 of 200 events, alpha 0.1, OF alpha, Pocock futility beta 0.02", 200, 196, 1, alpha = 0.1, spending = "obrien-fleming", beta = 0.02)
)

# Property-style cases with small increments: seeded designs whose looks may lie 0.01 to 0.03
# apart; a design rpact refuses is kept as a refusal.
set.seed(20261202)
for (i in 1:8) {
  K <- sample(3:4, 1)
  base <- round(runif(1, 0.2, 0.8), 2)
  planned <- sort(unique(pmin(0.97, round(base + cumsum(c(0, runif(K - 2, 0.01, 0.03))), 2))))
  looks <- c(planned, 1)
  N <- sample(c(100, 200, 300), 1)
  taken <- sample(1:(length(looks) - 1), 1)
  E <- sort(unique(round(N * looks[1:taken])))
  Z <- -sqrt(E / N) * 2.5 * runif(1, 0.2, 1.3) + rnorm(length(E), 0, 0.2)
  futility <- sample(c("none", "obrien-fleming", "pocock"), 1)
  args <- list(sprintf("seeded small-increment case %d", i), N, E, round(Z, 3), looks, spending = sample(c("obrien-fleming", "pocock"), 1),
               futility = futility, beta = sample(c(0.1, 0.2, 0.3), 1), hr1 = sample(c(0.6, 0.7, 0.8), 1),
               allocation = sample(c(1, 2, 0.5), 1))
  one <- tryCatch(do.call(interim_case, args), error = function(e) NULL)
  if (is.null(one)) {
    refusals[[length(refusals) + 1]] <- refusal(args[[1]], N, E, looks, spending = args$spending, futility = futility, beta = args$beta)
  } else cases[[length(cases) + 1]] <- one
}

# rpact's betaAdjustment (TRUE by default) rescales the beta spending of two-sided beta-spending
# designs only (getDesignGroupSequentialBetaSpendingTwoSidedCpp); one-sided, as every futility
# design of the contract is, it changes nothing. Checked here, so a new rpact that changes this
# fails the generation rather than the agreement silently.
adjustment <- sprintf(paste0("getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, informationRates = c(0.3, 0.6, 1), typeOfDesign = 'asP', ",
                             "beta = 0.3, typeBetaSpending = 'bsP', bindingFutility = FALSE, betaAdjustment = %s)$futilityBounds"), c("TRUE", "FALSE"))
if (!identical(eval(parse(text = adjustment[1])), eval(parse(text = adjustment[2])))) stop("betaAdjustment changes a one-sided design")

con <- file("libs/survival/test/interim-reference.ts", "w")
writeLines(c(
  "// Generated by `Rscript libs/survival/test/interim-reference.R`;",
  sprintf("// rpact %s. Each case lists the R calls that produced its numbers. NA is null.", packageVersion("rpact")),
  sprintf("// betaAdjustment = TRUE and FALSE give the same one-sided futility bounds: %s", adjustment[1]),
  "export const interimCases = ["), con)
for (cs in cases) {
  writeLines(paste0("  // ", cs$calls), con)
  writeLines(paste0("  ", toJSON(cs, auto_unbox = FALSE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines(c("] as const;", "", "export const interimRefusals = ["), con)
for (cs in refusals) {
  writeLines(paste0("  // ", cs$calls), con)
  writeLines(paste0("  ", toJSON(cs, auto_unbox = FALSE, digits = NA, na = "null", null = "null"), ","), con)
}
writeLines("] as const;", con)
close(con)
