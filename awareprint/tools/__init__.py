"""The tools beside the pipeline: checking materials and contacts, fidelity, translation, review, previews."""
