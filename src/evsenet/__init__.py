"""evsenet: structure and price EV charging networks (Next Generation Pricing)."""

__version__ = "0.1.0"
