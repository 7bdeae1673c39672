"""The pages: the GAN Lab page and compare mode, their shared controls and their layouts."""
