"""Matching: optimal mentor–mentee pairs from real skills and interests, explained and approved."""
