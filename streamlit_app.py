"""Entry point: ``streamlit run streamlit_app.py -- --workspace W``."""

from workbench.app import main

main()
