"""Privacy rules shared by every domain: scrubbing public text."""
