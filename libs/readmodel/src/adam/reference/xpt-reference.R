# The reference for xpt.spec.ts: SAS transport v5 as R's haven (ReadStat) writes it.
#   Rscript libs/readmodel/src/adam/reference/xpt-reference.R
# writes reference.xpt beside this script. haven stamps the file with the local time and has
# no option for it, so the four 16-byte creation/modification stamps are then overwritten with
# 01JAN26:00:00:00, which the spec passes to our writer: every other byte is haven's.
library(haven)
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
d <- data.frame(
  STUDYID = c("BCIS-1", "BCIS-1", "BCIS-1", "BCIS-1"),
  USUBJID = c("BCIS-1-P1", "BCIS-1-P2", "BCIS-1-P10", "BCIS-1-P100"),
  AVAL = c(1566, 0, NA, 0.5),
  FRAC = c(1 / 3, -1.5, 123456789.125, 1e-5),
  ADT = as.Date(c("2009-06-30", NA, "1960-01-01", "1959-12-31")),
  CNSR = c(0, 1, 2, 5),
  EVNTDESC = c("DEATH", "", "ALIVE AT DATA CUTOFF", "DEATH FROM OTHER CAUSE"),
  EMPTY = c("", "", "", ""),
  stringsAsFactors = FALSE)
attr(d$STUDYID, "label") <- "Study Identifier"
attr(d$USUBJID, "label") <- "Unique Subject Identifier"
attr(d$AVAL, "label") <- "Analysis Value"
attr(d$FRAC, "label") <- "Forty characters of label, no more: 1234"
attr(d$ADT, "label") <- "Analysis Date"
attr(d$ADT, "format.sas") <- "DATE9"
attr(d$CNSR, "label") <- "Censor"
attr(d$EVNTDESC, "label") <- "Event or Censoring Description"
out <- file.path(here, "reference.xpt")
write_xpt(d, out, version = 5, name = "ADTTE", label = "Time-to-Event Analysis Dataset")
bytes <- readBin(out, "raw", file.info(out)$size)
stamp <- charToRaw("01JAN26:00:00:00")
for (at in c(144, 160, 464, 480)) bytes[(at + 1):(at + 16)] <- stamp
writeBin(bytes, out)
