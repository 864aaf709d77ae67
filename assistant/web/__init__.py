"""The staff page (Gradio) and the HTTP routes it needs, mounted in one FastAPI app."""
