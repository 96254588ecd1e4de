from tradeportal import create_app

app = create_app()
