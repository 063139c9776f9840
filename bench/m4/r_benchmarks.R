# SES, Holt, damped Holt and Theta from R's forecast package, for bench/m4/m4_eval.py.
#
# Usage: Rscript bench/m4/r_benchmarks.R INPUT HORIZON OUTPUT
#        Rscript bench/m4/r_benchmarks.R --version     (prints the forecast package's version)
#
#   INPUT   series_id,y: the seasonally adjusted series, written by m4_eval.py (rows of a series
#           contiguous and in time order)
#   OUTPUT  series_id,method,h,yhat with method SES, Holt, Damped or Theta
#
# Each series is a plain ts (frequency 1: m4_eval.py has already removed the season and puts it
# back afterwards), given to the package's own functions with their defaults:
#   SES     ses(y, h)
#   Holt    holt(y, h)
#   Damped  holt(y, h, damped = TRUE)
#   Theta   thetaf(y, h): Hyndman & Billah's (2003) form of the Theta method, SES with drift equal
#           to half the slope of the least-squares line (not the organisers' Theta.classic)
# Exits with status 3 when the forecast package is missing.
if (!suppressMessages(requireNamespace("forecast", quietly = TRUE))) {
  message("r_benchmarks.R: the R package 'forecast' is not installed")
  quit(status = 3)
}

args <- commandArgs(TRUE)
if (length(args) == 1 && args[1] == "--version") {
  cat(as.character(packageVersion("forecast")), "\n", sep = "")
  quit(status = 0)
}
if (length(args) != 3) stop("usage: Rscript r_benchmarks.R INPUT HORIZON OUTPUT")
h <- as.integer(args[2])

data <- read.csv(args[1], colClasses = c("character", "numeric"))
ids <- unique(data$series_id)
by_id <- split(data$y, factor(data$series_id, levels = ids))

methods <- list(
  SES = function(y) forecast::ses(y, h = h),
  Holt = function(y) forecast::holt(y, h = h),
  Damped = function(y) forecast::holt(y, h = h, damped = TRUE),
  Theta = function(y) forecast::thetaf(y, h = h)
)

parts <- vector("list", length(ids) * length(methods))
k <- 0
for (sid in ids) {
  y <- ts(by_id[[sid]], frequency = 1)
  for (name in names(methods)) {
    k <- k + 1
    parts[[k]] <- data.frame(series_id = sid, method = name, h = seq_len(h),
                             yhat = sprintf("%.17g", as.numeric(methods[[name]](y)$mean)))
  }
}
out <- do.call(rbind, parts)
write.csv(out, args[3], row.names = FALSE, quote = FALSE)
