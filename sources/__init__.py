"""Where reports come from: downloading them from portals (fetcher.py, links.py) and the manifest.csv that
carries each file's URL and retrieval into the warehouse (manifest.py). No Prefect, no DuckDB."""
