"""barkflow: a declarative batch renderer for long audio with Suno's Bark."""
