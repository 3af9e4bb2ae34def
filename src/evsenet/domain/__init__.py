"""Business rules of evsenet. Pure Python: no I/O, no framework imports."""
