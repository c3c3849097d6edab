# The M4 organisers' SES, Holt, Damped, Theta and Comb computed by R's forecast package itself,
# to check seqlab.bench.m4_classic against the R it ports. Needs R with the forecast package
# (Debian: apt-get install r-cran-forecast); writes benchmarks/results/m4_classic_r.json.
#
#   Rscript benchmarks/m4_classic_r.R
suppressMessages(library(forecast))
root <- Sys.getenv("SEQLAB_DATA_DIR", "../shared/data")

seasonal <- function(x, m) {  # M4's 90 % autocorrelation test at lag m
  if (m <= 1 || length(x) < 3 * m) return(FALSE)
  r <- acf(x, plot = FALSE)$acf[-1, 1, 1]
  limit <- 1.645 / sqrt(length(x)) * sqrt(cumsum(c(1, 2 * r^2)))
  isTRUE(abs(r[m]) > limit[m])
}

theta <- function(x, h) {  # the classic Theta method: the line and SES on 2x - line, halved
  n <- length(x)
  fit <- lm(y ~ t, data.frame(y = as.numeric(x), t = seq_len(n)))
  line_in <- as.numeric(predict(fit))
  line_out <- as.numeric(predict(fit, data.frame(t = n + seq_len(h))))
  out <- 0.5 * as.numeric(ses(2 * x - line_in, h = h)$mean) + 0.5 * line_out
  pmax(out, 0)
}

rows <- c()
for (freq in c("Hourly", "Weekly")) {
  h <- if (freq == "Hourly") 48 else 13
  m <- if (freq == "Hourly") 24 else 1
  train <- read.csv(file.path(root, "m4", paste0(freq, "-train.csv")), row.names = 1)
  test <- read.csv(file.path(root, "m4", paste0(freq, "-test.csv")), row.names = 1)
  names <- c("Naive2", "SES", "Holt", "Damped", "Theta", "Comb")
  smape <- mase <- matrix(NA, nrow(train), length(names), dimnames = list(NULL, names))
  start <- Sys.time()
  for (i in seq_len(nrow(train))) {
    x <- as.numeric(train[i, ])
    x <- ts(x[!is.na(x)], frequency = m)
    y <- as.numeric(test[i, ])
    if (seasonal(x, m)) {
      index <- decompose(x, type = "multiplicative")$seasonal
      adjusted <- x / index
      out <- rep(tail(as.numeric(index), m), length.out = h)
    } else {
      adjusted <- x
      out <- rep(1, h)
    }
    f <- list(
      Naive2 = rep(tail(as.numeric(adjusted), 1), h),
      SES = as.numeric(ses(adjusted, h = h)$mean),
      Holt = as.numeric(holt(adjusted, h = h)$mean),
      Damped = as.numeric(holt(adjusted, h = h, damped = TRUE)$mean),
      Theta = theta(adjusted, h)
    )
    f$Comb <- (f$SES + f$Holt + f$Damped) / 3
    scale <- mean(abs(diff(as.numeric(x), lag = m)))
    for (name in names) {
      p <- f[[name]] * out
      smape[i, name] <- mean(200 * abs(y - p) / (abs(y) + abs(p)))
      mase[i, name] <- mean(abs(y - p)) / scale
    }
  }
  seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
  for (name in names[-1]) {
    s <- mean(smape[, name])
    a <- mean(mase[, name])
    o <- (s / mean(smape[, "Naive2"]) + a / mean(mase[, "Naive2"])) / 2
    rows <- c(rows, sprintf(
      '  {"frequency": "%s", "model": "%s", "smape": %.6f, "mase": %.6f, "owa": %.6f, "seconds_all_five": %.1f, "forecast_version": "%s"}',
      tolower(freq), name, s, a, o, seconds, as.character(packageVersion("forecast"))
    ))
  }
}
writeLines(c("[", paste(rows, collapse = ",\n"), "]"), "benchmarks/results/m4_classic_r.json")
