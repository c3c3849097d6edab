"""Benchmark protocols behind ``seqlab bench``: above the tasks, below the CLI.

epf.py     the EPF day-ahead price benchmark's files, naive forecast, scores and DM test
lear.py    the EPF paper's LEAR (LASSO per hour on lagged prices and exogenous forecasts)
ltsf.py    the long-horizon protocol on ETT (Zhou et al. 2021's splits, scaled MSE / MAE)
m4.py      M4 Hourly and Weekly, the organisers' protocol and metrics
m4_classic.py  the M4 organisers' SES, Holt, Damped, Theta and Comb, as R's forecast estimates them
memory.py  the long-memory problems (adding, copy memory): one budget, the longest T solved
"""
