def load_markdown(path, source):
    from assistant.ingest.text import load_text

    return load_text(path, source)
