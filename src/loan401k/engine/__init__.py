"""The arithmetic: amortization, projection, costs, markets, alternatives, verdict."""
