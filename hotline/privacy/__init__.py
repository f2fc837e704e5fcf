"""Privacy rules shared by every domain: scrubbing public text, what suggestions may show, the access log."""
