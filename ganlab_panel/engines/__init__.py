"""Training engines: the same small numpy-in, numpy-out interface (base.py) over NumPy and PyTorch; factory.py
builds one, losses.py holds the GAN formulations they all compute."""
