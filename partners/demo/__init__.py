"""The registry's demo data (seed_demo)."""
