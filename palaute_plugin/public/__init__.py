"""The resident's side: the form, the receipt and the private status page."""
