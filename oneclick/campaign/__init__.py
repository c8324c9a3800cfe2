"""The campaign: offers, the plan by expected profit, its summary and decision metric, save rates learned from
read-outs of past campaigns."""
