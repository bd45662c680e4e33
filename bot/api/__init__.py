"""HTTP edge of the assistant (FastAPI)."""
