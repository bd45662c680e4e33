"""Knowledge-base read side."""
