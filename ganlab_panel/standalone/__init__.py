"""The standalone page (Pyodide, NumPy engine) and its build."""
