"""The web face: the calculator page (pages.router), its templates, static files and PDF report."""
