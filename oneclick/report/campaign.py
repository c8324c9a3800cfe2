"""The report's campaign sections, in words a marketing manager reads without a glossary: the plan, and what
the last campaign showed. Every figure comes from metrics/campaign.json, metrics/save_rates.json and the
read-outs; money in thousand roubles."""

from oneclick.markdown import table_lines


def _money(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ")


def _range(low: float, high: float) -> str:
    return f"{_money(low)} to {_money(high)}"


def _assumptions(spec: dict, save_rates: dict) -> list[str]:
    learned = [name for name, e in save_rates.items() if e["campaigns"]]
    rates = ("the save rates are the assumptions of params.yaml (`campaign.offers`), updated by what past campaigns "
             f"measured for {', '.join(learned)}" if learned else
             "the save rates are the assumptions of params.yaml (`campaign.offers`): no campaign has measured them yet")
    return ["**What this rests on.** A customer who buys less costs the store "
            f"{spec['loss_share']:.0%} of their monthly profit for each of the next {spec['horizon_months']} months "
            f"(`campaign.loss_share`, `horizon_months`): that is their *value at stake*. An offer keeps such a "
            "customer with its *save rate*; "
            f"{rates}. Contacting a customer costs {spec['contact_cost']:g} plus the offer's cost. The probability "
            "of buying less is the model's, calibrated (below). A customer is contacted when the expected saving, "
            "probability × save rate × value at stake, exceeds these costs; each gets the offer that earns most.", ""]


def _offers_table(campaign: dict, spec: dict, save_rates: dict) -> list[str]:
    rows = []
    for name, figures in campaign["offers"].items():
        offer = entry = save_rates[name]
        assumed = f"{entry['posterior']['mean']:.2f}" + (f" (updated by {', '.join(entry['campaigns'])})"
                                                        if entry["campaigns"] else " (assumed)")
        if not entry["in_plan"]:
            assumed += f"; out of the plan: {entry['reason']}"
        even = "–" if figures["break_even_save_rate"] is None else f"{figures['break_even_save_rate']:.2f}"
        rows.append([f"**{name}**: {offer['text']}", figures["treated"], figures["control"],
                     f"{offer['cost'] + spec['contact_cost']:g}", assumed, even, _money(figures["spend"]),
                     f"{_money(figures['expected_profit'])} "
                     f"({_range(figures['expected_profit_low'], figures['expected_profit_high'])})"])
    return table_lines(["offer", "send to", "control group", "cost per customer", "save rate", "break-even save rate",
                        "spend", "expected profit (5-95 % range)"], rows) + [""]


def _per_offer(offers: list[str], power: dict) -> list[str]:
    """Every offer with the campaigns of this size its own arms need: "not planned" where no customer to contact
    gets it, "no control group" where none of them is held back."""
    out = []
    for name in offers:
        figures = power["offers"].get(name)
        needed = "not planned" if figures is None else figures["campaigns_needed"] or "no control group"
        out.append(f"{name} {needed}")
    return out


def _power(power: dict, offers: list[str]) -> list[str]:
    if power["power"] is None:
        return ["No control group: nothing will tell whether the offers work (`campaign.control.share`).", ""]
    out = [f"**The control group.** {power['control']} of the customers to contact get nothing, drawn at random "
           "(by customer id, so they stay in the control group in every later export). Without an offer "
           f"{power['decline_rate_without_offer']:.1%} of the contacted customers are expected to buy less, with the "
           f"offers {power['decline_rate_with_offer']:.1%}. A campaign of this size tells that difference from "
           f"chance with a probability of {power['power']:.0%} (two-sided test at {power['alpha']:g}); "]
    needed = power["campaigns_needed"]
    out[0] += ("one campaign is enough." if needed == 1 else
               f"{needed} campaigns of this size are needed for {power['target_power']:.0%}.")
    out[0] += (" Each offer's arms are smaller than the campaign's; campaigns of this size needed to tell each "
               "offer's own effect: " + ", ".join(_per_offer(offers, power)) + ".")
    return out + [""]


def campaign_section(campaign: dict, save_rates: dict, curve_image: str) -> list[str]:
    spec = campaign["assumptions"]
    horizon = spec["horizon_months"]
    out = ["## The campaign", ""]
    if campaign["contacts"] == 0:
        out += [f"**Contact nobody.** Of {campaign['customers']} customers, none is worth an offer at these costs: "
                f"{campaign['why_nobody']}.", ""]
        return out + _assumptions(spec, save_rates)
    test = campaign["test"]
    out += [f"**Contact {campaign['contacts']} of {campaign['customers']} customers.** Send the offer to "
            f"{campaign['treated']} of them and keep {campaign['control']} as the control group. It costs "
            f"**{_money(campaign['spend'])} thousand roubles** (offers and contacts) and is expected to earn "
            f"**{_money(campaign['expected_profit'])} thousand roubles** of profit over the next {horizon} months "
            f"after those costs (5-95 % range over what the offers' save rates may be: "
            f"{_range(campaign['expected_profit_low'], campaign['expected_profit_high'])}).", ""]
    if campaign["customers_without_profit"]:
        out += [f"{campaign['customers_without_profit']} customers have no profit figure and get no decision.", ""]
    out += _offers_table(campaign, spec, save_rates)
    out += ["A save rate is the share of the customers who would have bought less that the offer keeps. Below its "
            "break-even save rate an offer costs more than it saves for the customers it is planned for.", ""]
    what_if = campaign["what_if"]
    doubled = what_if["costs_doubled"]
    out += [f"**If the assumptions are off.** With every cost twice as high the plan contacts "
            f"{doubled['contacts']} customers for {_money(doubled['expected_profit'])}; "
            f"with every save rate half as high, {what_if['save_rates_halved']['contacts']} customers for "
            f"{_money(what_if['save_rates_halved']['expected_profit'])} (thousand roubles of expected profit).", ""]
    out += _power(campaign["power"], list(campaign["offers"]))
    out += [f"Holding the control group back gives up {_money(campaign['control_forgone_profit'])} thousand roubles "
            "of expected profit: the price of learning which offers work.", ""]
    realized = test["realized_profit"]
    out += [f"**Checked on customers whose outcome is known** (the {test['customers']} test customers, scored by a "
            f"model that never saw them): at the assumed save rates the plan's {test['contacts']['plan']} contacts "
            f"realize {_money(realized['plan'])} thousand roubles, against {_money(realized['everyone'])} for "
            f"contacting everyone with their best offer, {_money(realized['probability_0.5'])} for everyone with a "
            f"probability of at least 0.5 and {_money(realized['priority_segment'])} for the high-risk, high-profit "
            f"segment only. The best this ranking can earn, averaged over the save rates' uncertainty: "
            f"{_money(test['emp_per_1000'])} thousand roubles per 1000 customers (expected maximum profit).", ""]
    out += _assumptions(spec, save_rates)
    return out + [f"![Profit curve of the plan]({curve_image})", ""]


def readout_section(readouts: dict, save_rates: dict, image: str) -> list[str]:
    out = ["## What the last campaign showed", ""]
    if not readouts:
        return out + ["No campaign has been read out yet (`readout.campaigns`): the save rates are assumptions.", ""]
    for name, r in readouts.items():
        overall = r["overall"]
        missing = ", ".join(f"{n} {reason}" for reason, n in r["missing"].items()) or "none"
        where = f" (`{r['folder']}`)" if r.get("folder") else ""
        out += [f"### Campaign {name}{where}", "",
                f"{overall['treated_found']} treated and {overall['control_found']} control customers found in the "
                f"outcome export (missing: {missing}). Overall: **{overall['verdict']}**"]
        if "difference" in overall:
            out[-1] += (f"; {overall['decline_rate_control']:.1%} of the control group bought less against "
                        f"{overall['decline_rate_treated']:.1%} of the treated (difference "
                        f"{overall['difference']:+.1%}, 95 % interval {overall['difference_low']:+.1%} to "
                        f"{overall['difference_high']:+.1%}); realized incremental profit "
                        f"{_money(overall['incremental_profit'])} thousand roubles "
                        f"({_range(overall['incremental_profit_low'], overall['incremental_profit_high'])}) against "
                        f"{_money(overall['planned_expected_profit'])} the plan expected.")
        out += [""]
        rows = []
        for offer, m in r["offers"].items():
            low = "–" if m.get("save_rate_low") is None else f"{m['save_rate_low']:.2f}"
            measured = "–" if m.get("save_rate") is None else \
                f"{m['save_rate']:.2f} [{low}, {m['save_rate_high']:.2f}]"
            profit = "–" if "incremental_profit" not in m else \
                f"{_money(m['incremental_profit'])} " \
                f"({_range(m['incremental_profit_low'], m['incremental_profit_high'])})"
            rows.append([offer, m["verdict"], f"{m['treated_found']} / {m['control_found']}", measured,
                         f"{m['prior']['mean']:.2f}", f"{save_rates[offer]['posterior']['mean']:.2f}", profit,
                         _money(m["planned_expected_profit"])])
        out += table_lines(["offer", "verdict", "treated / control", "save rate measured [95 %]", "assumed before",
                            "used now", "realized profit [95 %]", "plan expected"], rows) + [""]
    dropped = [f"**{n}** ({e['reason']})" for n, e in save_rates.items() if not e["in_plan"]]
    if dropped:
        out += ["Out of the plan: " + "; ".join(dropped) + ".", ""]
    out += ["The save rate used now combines the assumption with what the campaigns measured (a Beta posterior: "
            "docs/campaign.md, \"What the next plan learns\"); the next `dvc repro` plans with it.", "",
            f"![Save rate per offer]({image})", ""]
    return out
