"""Web edge: FastAPI JSON API and server-rendered pages."""
