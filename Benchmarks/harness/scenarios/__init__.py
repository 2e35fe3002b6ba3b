"""One module per scenario of issue 7; each `run(ctx)` returns its figures as a dict."""
