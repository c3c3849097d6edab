"""Benchmark protocols behind ``seqlab bench``: above the tasks, below the CLI.

epf.py     the EPF day-ahead price benchmark's files, naive forecast, scores and DM test
ltsf.py    the long-horizon protocol on ETT (Zhou et al. 2021's splits, scaled MSE / MAE)
m4.py      M4 Hourly and Weekly, the organisers' protocol and metrics
memory.py  the long-memory problems (adding, copy memory): one budget, the longest T solved
"""
