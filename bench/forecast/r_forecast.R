# R's prophet and forecast::ets on a file of series, in the `costwise forecast series` format.
#
# Usage: Rscript bench/forecast/r_forecast.R TOOL INPUT HORIZON FREQ OUTPUT TIMINGS [SERIES_IDS]
#   TOOL     prophet | ets
#   INPUT    series_id,ds,y (rows of a series contiguous, in time order; ds a date)
#   HORIZON  steps to forecast
#   FREQ     day | month (the series' step: ts frequency 7 or 12 for ets, the step of prophet's
#            future dates)
#   OUTPUT   series_id,ds,yhat,lo80,hi80,lo95,hi95
#   TIMINGS  series_id,tool,n,seconds,model: wall time of fit + forecast per series, in-process
#            (not counting R's start, loading the packages or reading the file; an untimed
#            warm-up fit on the first series goes first, R_WARMUP=0 skips it)
#   SERIES_IDS  optional comma-separated subset
#
# prophet: prophet(df) with every default (yearly / weekly / daily seasonality "auto", 1000
#   uncertainty samples, interval_width 0.8). Both intervals come from ONE set of predictive
#   samples: predictive_samples(m, future) gives the 1000 simulated paths, and the 80% and 95%
#   bounds are their 10/90% and 2.5/97.5% quantiles (R's quantile type 7), which is what
#   predict() computes for interval_width = 0.8 and 0.95. yhat comes from predict() with
#   m$uncertainty.samples set to 0 afterwards (the point forecast, no second sampling). The timing
#   includes the fit, the sampling and the prediction. set.seed(42) before each series.
#   PROPHET_YEARLY=true forces yearly seasonality (prophet's "auto" turns it on only when the
#   history spans two years or more: not for 730 days, which span 729).
# ets:     forecast(ets(ts(y, frequency = 7 or 12)), h = HORIZON, level = c(80, 95)), defaults.
suppressMessages({
  library(forecast)
  library(prophet)
})

args <- commandArgs(TRUE)
if (length(args) < 6) stop("usage: r_forecast.R TOOL INPUT HORIZON FREQ OUTPUT TIMINGS [IDS]")
tool <- args[1]
input <- args[2]
h <- as.integer(args[3])
freq <- args[4]
output <- args[5]
timings <- args[6]
if (!tool %in% c("prophet", "ets")) stop("TOOL must be prophet or ets")
if (!freq %in% c("day", "month")) stop("FREQ must be day or month")

data <- read.csv(input, colClasses = c("character", "character", "numeric"))
ids <- unique(data$series_id)
if (length(args) > 6) ids <- intersect(ids, strsplit(args[7], ",")[[1]])

future_dates <- function(last, h) {
  if (freq == "day") last + seq_len(h) else seq(last, by = "month", length.out = h + 1)[-1]
}

run_prophet <- function(df) {
  set.seed(42)
  yearly <- Sys.getenv("PROPHET_YEARLY", "auto")
  m <- prophet(df, yearly.seasonality = if (yearly == "auto") "auto" else as.logical(yearly))
  future <- make_future_dataframe(m, periods = h, freq = freq, include_history = FALSE)
  samples <- predictive_samples(m, future)$yhat
  m$uncertainty.samples <- 0
  point <- predict(m, future)
  q <- apply(samples, 1, stats::quantile, probs = c(0.1, 0.9, 0.025, 0.975), na.rm = TRUE)
  seasonalities <- paste(names(m$seasonalities), collapse = "+")
  list(yhat = point$yhat, lo80 = q[1, ], hi80 = q[2, ], lo95 = q[3, ], hi95 = q[4, ],
       ds = as.Date(future$ds), model = paste0("prophet(", seasonalities, ")"))
}

run_ets <- function(df) {
  y <- ts(df$y, frequency = if (freq == "day") 7 else 12)
  fit <- ets(y)
  fc <- forecast(fit, h = h, level = c(80, 95))
  list(yhat = as.numeric(fc$mean), lo80 = as.numeric(fc$lower[, 1]),
       hi80 = as.numeric(fc$upper[, 1]), lo95 = as.numeric(fc$lower[, 2]),
       hi95 = as.numeric(fc$upper[, 2]), ds = future_dates(max(df$ds), h), model = fit$method)
}

series_frame <- function(sid) {
  rows <- data[data$series_id == sid, ]
  data.frame(ds = as.Date(rows$ds), y = rows$y)
}
run_tool <- function(df) if (tool == "prophet") run_prophet(df) else run_ets(df)

# One untimed warm-up fit on the first series, so that one-time costs (loading the Stan model,
# JIT, first allocations) are not charged to the first timed series. R_WARMUP=0 skips it.
if (Sys.getenv("R_WARMUP", "1") == "1" && length(ids) > 0) {
  invisible(tryCatch(run_tool(series_frame(ids[1])), error = function(e) NULL))
}

out <- file(output, "w")
writeLines("series_id,ds,yhat,lo80,hi80,lo95,hi95", out)
times <- data.frame()
for (sid in ids) {
  df <- series_frame(sid)
  t0 <- proc.time()[["elapsed"]]
  result <- tryCatch(run_tool(df),
                     error = function(e) { message(sprintf("%s on %s failed: %s", tool, sid,
                                                           conditionMessage(e))); NULL })
  seconds <- proc.time()[["elapsed"]] - t0
  if (is.null(result)) {
    times <- rbind(times, data.frame(series_id = sid, tool = tool, n = nrow(df),
                                     seconds = seconds, model = "failed"))
    next
  }
  writeLines(sprintf("%s,%s,%.10g,%.10g,%.10g,%.10g,%.10g", sid, format(result$ds, "%Y-%m-%d"),
                     result$yhat, result$lo80, result$hi80, result$lo95, result$hi95), out)
  times <- rbind(times, data.frame(series_id = sid, tool = tool, n = nrow(df),
                                   seconds = seconds, model = result$model))
  message(sprintf("[forecast] %s %s: %d points, %.2f s, %s", tool, sid, nrow(df), seconds,
                  result$model))
}
close(out)
write.csv(times, timings, row.names = FALSE)
package <- if (tool == "prophet") "prophet" else "forecast"
message(sprintf("[forecast] %s (%s %s): %d series, %.2f s per series", tool, package,
                as.character(packageVersion(package)),
                nrow(times), mean(times$seconds)))
