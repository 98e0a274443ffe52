"""People who leave the company (or come back), go silent, and whose data is kept no longer."""
