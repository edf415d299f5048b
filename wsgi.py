from registry import create_app

app = create_app()
