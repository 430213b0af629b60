"""barkflow's Hydra config groups (shipped inside the package as barkflow.conf)."""
