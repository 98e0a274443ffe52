"""Roster import: HR's spreadsheet of people, checked line by line, then invited in one go."""
