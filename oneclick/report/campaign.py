"""The report's campaign sections, in words a marketing manager reads without a glossary: the plan, what learning
costs and is worth, and what the past campaigns showed. Every figure comes from metrics/campaign.json,
metrics/save_rates.json and the read-outs; money in thousand roubles."""

from oneclick.common.paths import SIMULATED_CAMPAIGNS
from oneclick.markdown import table_lines


def _money(value: float) -> str:
    return f"{value:,.1f}".replace(",", " ")


def _range(low: float, high: float) -> str:
    return f"{_money(low)} to {_money(high)}"


def _range_of(record: dict, key: str) -> str:
    """The range of `key` as a record of metrics/ holds it: `<key>_low` to `<key>_high`."""
    return _range(record[f"{key}_low"], record[f"{key}_high"])


def _assumptions(spec: dict, save_rates: dict) -> list[str]:
    offers = save_rates["offers"]
    learned = [name for name, e in offers.items() if e["campaigns"]]
    differs = [name for name, e in offers.items() if e["differs"]]
    rates = ("the save rates are the assumptions of params.yaml (`campaign.offers`), updated by what past campaigns "
             f"measured for {', '.join(learned)}" if learned else
             "the save rates are the assumptions of params.yaml (`campaign.offers`): no campaign has measured them yet")
    if differs:
        rates += (f"; for {', '.join(differs)} the campaigns showed the rate differs across customers, so each "
                  "customer gets the rate of their group")
    return ["**What this rests on.** A customer who buys less costs the store "
            f"{spec['loss_share']:.0%} of their monthly profit for each of the next {spec['horizon_months']} months "
            f"(`campaign.loss_share`, `horizon_months`): that is their *value at stake*. An offer keeps such a "
            "customer with its *save rate*; "
            f"{rates}. Contacting a customer costs {spec['contact_cost']:g} plus the offer's cost. The probability "
            "of buying less is calibrated (below) and never from a model that saw the customer: out of fold for the "
            "train customers, from the model fitted on the train part for the test ones. A customer is planned when "
            "the expected saving, "
            "probability × save rate × value at stake, exceeds these costs; each gets the offer that earns most.", ""]


def _points(share: float) -> str:
    """A difference of two shares in percentage points."""
    return f"{100 * share:+.1f}"


def _attrition(readout: dict) -> str:
    """The warning when the arms lost different shares of their customers, overall or in an offer; "" if not."""
    parts = [f"{where}: control {m['missing_control'] / m['control']:.1%}, treated "
             f"{m['missing_treated'] / m['treated']:.1%} missing (difference {_points(m['missing_difference'])} "
             f"percentage points, 95 % interval {_points(m['missing_difference_low'])} to "
             f"{_points(m['missing_difference_high'])})"
             for where, m in [("overall", readout["overall"]), *readout["offers"].items()]
             if m.get("attrition_differs")]
    if not parts:
        return ""
    return (" **The arms lost different shares of their customers** (" + "; ".join(parts) + "): a customer who left "
            "the store is missing from the export, and leaving can be what the offer changed, so the differences "
            "here are of the customers found and may be biased.")


def _rate(belief: dict) -> str:
    """A save rate's prior or posterior (metrics/save_rates.json): its mean and 90 % interval."""
    return f"{belief['mean']:.2f} [{belief['low90']:.2f}, {belief['high90']:.2f}]"


def _offers_table(campaign: dict, spec: dict, save_rates: dict) -> list[str]:
    rows = []
    for name, figures in campaign["offers"].items():
        entry = save_rates["offers"][name]
        assumed = _rate(entry["posterior"]) + (
            f" (updated by {', '.join(entry['campaigns'])})" if entry["campaigns"] else " (assumed)")
        if entry["differs"]:
            assumed += "; by customer group: " + ", ".join(f"{where} {rate:.2f}"
                                                          for where, rate in entry["groups"].items())
        if not entry["in_plan"]:
            assumed += f"; out of the plan: {entry['reason']}"
        even = "–" if figures["break_even_save_rate"] is None else f"{figures['break_even_save_rate']:.2f}"
        if figures.get("chance_it_does_not_pay") is not None:
            even += f" ({_chance(figures['chance_it_does_not_pay'])})"
        rows.append([f"**{name}**: {entry['text']}", figures["treated"], figures["explored_treated"],
                     figures["control"],
                     f"{entry['cost'] + spec['contact_cost']:g}", assumed, even, _money(figures["spend"]),
                     f"{_money(figures['expected_profit'])} "
                     f"({_range_of(figures, 'expected_profit')})"])
    return table_lines(["offer", "send to", "of them explored", "control group", "cost per customer sent it",
                        "save rate [90 %]", "break-even save rate (chance below)", "spend",
                        f"expected profit over {spec['horizon_months']} months (5-95 % range)"], rows) + [""]


def _per_offer(offers: list[str], power: dict) -> list[str]:
    """Every offer with the campaigns of this size its own arms need: "not planned" where no customer to contact
    gets it, "no control group" where none of them is held back."""
    out = []
    for name in offers:
        figures = power["offers"].get(name)
        planned = figures is not None and figures.get("planned", True)
        out.append(f"{name} {figures['campaigns_needed'] or 'no control group' if planned else 'not planned'}")
    return out


def _chance(value: float) -> str:
    """A probability in whole percent, never rounded up to a certain 100 % or down to an impossible 0 % (the
    figures are rounded to 4 digits, so a 0 may be a small chance)."""
    return "above 99%" if 0.995 <= value < 1 else "below 1%" if value < 0.005 else f"{value:.0%}"


def _power(power: dict, offers: list[str]) -> list[str]:
    if power["power"] is None:
        return ["No control group: nothing will tell whether the offers work (`campaign.control.share`).", ""]
    out = [f"**The control group.** {power['control']} of the customers to contact get nothing, drawn at random "
           "(by the campaign's name and the customer's id, so a re-run keeps them and the next campaign draws anew). "
           f"Without an offer {power['decline_rate_without_offer']:.1%} of the customers to contact are expected to "
           f"buy less, with the offers {power['decline_rate_with_offer']:.1%} (at the save rates used; 5-95 % range "
           f"{power['decline_rate_with_offer_low']:.1%} to {power['decline_rate_with_offer_high']:.1%} over the save "
           "rates). "]
    if min(power["control"], power["treated"]) < power["min_per_arm"]:
        out[0] += (f"An arm of this campaign has fewer than {power['min_per_arm']} customers, the least a read-out "
                   "calls a result on (`readout.min_per_arm`): it cannot tell that difference; ")
    else:
        out[0] += (f"A campaign of this size tells that difference from chance with a probability of "
                   f"{_chance(power['power'])} ({_chance(power['power_low'])} to {_chance(power['power_high'])} over "
                   f"the save rates; two-sided test at {power['alpha']:g}, at least {power['min_per_arm']} customers "
                   "per arm); ")
    needed = power["campaigns_needed"]
    out[0] += ("one campaign is enough to tell whether the offers, taken together, work." if needed == 1 else
               f"{needed} campaigns of this size are needed for {power['target_power']:.0%}.")
    out[0] += (" Each offer's arms are smaller than the campaign's; campaigns of this size needed to tell each "
               "offer's own effect: " + ", ".join(_per_offer(offers, power)) + ".")
    return out + [""]


def _learning(campaign: dict) -> list[str]:
    """What measuring costs this campaign, and what not knowing the save rates costs the plan."""
    out = [f"**The price of learning.** Holding the control group back gives up "
           f"{_money(campaign['control_forgone_profit'])} thousand roubles of expected profit (5-95 % range "
           f"{_range_of(campaign, 'control_forgone_profit')}), and sending "
           f"offers to {campaign['explored_treated']} customers the plan would leave alone (exploration, to learn "
           "whom the offers move beyond the plan's cut-off) is expected to cost "
           f"{_money(campaign['exploration_cost'])} "
           f"({_range_of(campaign, 'exploration_cost')}): "
           f"{_money(campaign['price_of_learning'])} in all (5-95 % range "
           f"{_range_of(campaign, 'price_of_learning')}, over the save rates "
           "and chance in who buys less). Not knowing the save rates exactly costs the plan "
           f"{_money(campaign['value_of_information'])} thousand roubles in expectation (what a plan that knew them "
           f"would earn more; 95 % interval {_range_of(campaign, 'value_of_information')} over the "
           f"{campaign['value_of_information_draws']} draws of the save rates it averages)"]
    before = campaign.get("value_of_information_before_any_campaign")
    if before is not None:
        out[0] += (f"; before any campaign it was {_money(before)} "
                   f"({_range_of(campaign, 'value_of_information_before_any_campaign')}). As the read-outs narrow "
                   "the save rates, this falls, and with it what the control group and exploration are worth.")
    else:
        out[0] += "."
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
    out += [f"**{campaign['contacts']} of {campaign['customers']} customers are in the campaign** (campaign "
            f"`{spec['campaign']}`). Send the offer to {campaign['treated']} of them "
            f"({campaign['explored_treated']} of those beyond the plan's cut-off, to learn) and hold back "
            f"{campaign['control']} as the control group ({campaign['explored'] - campaign['explored_treated']} of "
            "them beyond the cut-off): they get nothing and cost no money, though holding them back gives up what "
            "an offer would have kept (the price of learning, below). The offers "
            f"and contacts cost **{_money(campaign['spend'])} thousand roubles**; after those costs the campaign would "
            f"earn **{_money(campaign['expected_profit'])} thousand roubles** of profit over the next {horizon} "
            "months in expectation. 5-95 % range: "
            f"{_range_of(campaign, 'expected_profit')}, "
            "over what the save rates may be and chance in who buys less and who is kept "
            f"({_range_of(campaign, 'save_rates_only')} over the save rates "
            "alone).", ""]
    if campaign["customers_without_profit"]:
        out += [f"{campaign['customers_without_profit']} customers have no profit figure and get no decision.", ""]
    out += _offers_table(campaign, spec, save_rates)
    out += ["A save rate is the share of the customers who would have bought less that the offer keeps, with the "
            "90 % interval of what is known of it (the assumption, updated by the campaigns that measured it). Below "
            "its break-even save rate an offer costs more than it saves for the customers it is planned for (at their "
            "probabilities and values at stake); the chance below is how likely that is, over what the save rate "
            "may be. Each range covers what the save rates may be and chance in who buys "
            "less and who is kept.", ""]
    what_if = campaign["what_if"]
    low, shrunk = what_if["save_rates_at_5_percent"], what_if["probabilities_toward_base_rate"]
    out += [f"**If the assumptions are off.** Were every offer's save rate at the low end of what is known of it "
            f"(its 5 % quantile), the plan would contact {low['contacts']} customers and count on "
            f"{_money(low['expected_profit'])} thousand roubles of expected profit (5-95 % range "
            f"{_range_of(low, 'expected_profit')}, over chance in who buys less and who "
            "is kept, the save rates held there); were the model's probabilities half as sharp (each halfway to the "
            f"base rate), {shrunk['contacts']} customers and {_money(shrunk['expected_profit'])} "
            f"({_range_of(shrunk, 'expected_profit')}, over the save rates and "
            "chance).", ""]
    out += _power(campaign["power"], list(campaign["offers"]))
    out += _learning(campaign)
    would, within, minus = test["realized_profit"], test["realized_interval"], test["plan_minus"]

    def rule(name: str, what: str) -> str:
        d = minus[name]
        return (f"{_money(would[name])} [{_range(*within[name])}] for {what} (the plan minus it "
                f"{d['difference']:+.1f} [{d['low']:+.1f}, {d['high']:+.1f}])")
    out += [f"**Checked on customers whose outcome is known** (the {test['customers']} test customers, scored by a "
            "model that never saw them and sent no demo campaign): at the save rates used, the plan's "
            f"{test['contacts']['plan']} contacts (each sent their offer, the control group too) would earn "
            f"{_money(would['plan'])} thousand roubles "
            f"[{_range(*within['plan'])}], against {rule('everyone', 'contacting everyone with their best offer')}, "
            f"{rule('probability_0.5', 'everyone with a calibrated probability of at least 0.5')} and "
            f"{rule('priority_segment', 'the high-risk, high-profit segment only')}. The intervals (95 %) resample "
            "the test customers at the save rates used; they do not cover what the save rates may be. The best this "
            "ranking can earn, averaged over the save rates' uncertainty: "
            f"{_money(test['emp_per_1000'])} thousand roubles per 1000 customers [{_range(*test['emp_interval'])}] "
            "(expected maximum profit; the 95 % interval resamples the test customers).", ""]
    out += _past_campaigns(campaign.get("past_campaigns") or {})
    out += _assumptions(spec, save_rates)
    return out + [f"![Profit curve of the plan]({curve_image})", ""]


def _past_campaigns(past: dict) -> list[str]:
    """What the new plan would have earned on each past campaign's randomized customers."""
    out = []
    for name, plans in past.items():
        new, one, ran = plans["new_plan"], plans["one_rate_per_offer"], plans["plan_that_ran"]
        gain = new["minus_plan_that_ran"]
        out += [f"**On campaign {name}'s customers** (what each plan would have earned there, thousand roubles per "
                "1000 customers, estimated from the customers the campaign treated at random, weighted by the "
                "probability of their treatment; 95 % bootstrap intervals over them): the new plan "
                f"{_money(new['per_1000'])} "
                f"[{_range(new['low'], new['high'])}], the plan that ran {_money(ran['per_1000'])} "
                f"[{_range(ran['low'], ran['high'])}], one save rate per offer {_money(one['per_1000'])} "
                f"[{_range(one['low'], one['high'])}]; the new plan minus the plan that ran {gain['per_1000']:+.1f} "
                f"[{gain['low']:+.1f}, {gain['high']:+.1f}]. The campaign holds no data for "
                f"{new['without_support_share']:.0%} of the new plan's contacts (an offer it could not have sent "
                "them); there the plan's own expected profit stands in.", ""]
    return out


def readout_section(readouts: dict, save_rates: dict, image: str) -> list[str]:
    out = ["## What the past campaigns showed", ""]
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
                        f"{_points(overall['difference'])} percentage points, 95 % interval "
                        f"{_points(overall['difference_low'])} to {_points(overall['difference_high'])}); "
                        f"incremental profit {_money(overall['incremental_profit'])} thousand roubles "
                        "(95 % interval "
                        f"{_range_of(overall, 'incremental_profit')}) against "
                        f"{_money(overall['planned_expected_profit'])} the plan expected.")
        if r.get("contact_list"):
            says = r["contact_list"]["says"]
            out[-1] += f" {says[0].upper()}{says[1:]}" + ("." if r["contact_list"]["provenance"] else " (warning).")
        if str(r.get("folder", "")).startswith(SIMULATED_CAMPAIGNS):
            out[-1] += (" Its outcomes are simulated (stage simulate, at `simulate.save_rates`), not observed: it "
                        "shows how a read-out reads and what it teaches the plan, not what the offers do.")
        if overall.get("spend_missing"):
            out[-1] += (f" The offers sent to the {overall['missing_treated']} treated customers missing from the "
                        f"export cost {_money(overall['spend_missing'])} thousand roubles, outside the profit above.")
        out[-1] += _attrition(r)
        out += [""]
        rows = []
        for offer, m in r["offers"].items():
            low = "–" if m.get("save_rate_low") is None else f"{m['save_rate_low']:.2f}"
            measured = "–" if m.get("save_rate") is None else \
                f"{m['save_rate']:.2f} [{low}, {m['save_rate_high']:.2f}]"
            profit = "–" if "incremental_profit" not in m else \
                f"{_money(m['incremental_profit'])} " \
                f"({_range_of(m, 'incremental_profit')})"
            rows.append([offer, m["verdict"], f"{m['treated_found']} / {m['control_found']}", measured,
                         _differs(m.get("heterogeneity")), _rate(save_rates["offers"][offer]["prior"]),
                         _rate(save_rates["offers"][offer]["posterior"]), profit,
                         _money(m["planned_expected_profit"])])
        out += table_lines(["offer", "verdict", "treated / control", "save rate measured [95 %]",
                            "does it differ across customers?", "assumed before [90 %]", "used now [90 %]",
                            "incremental profit [95 %]", "plan expected"], rows) + [""]
    dropped = [f"**{n}** ({e['reason']})" for n, e in save_rates["offers"].items() if not e["in_plan"]]
    if dropped:
        out += ["Out of the plan (still explored, so measured again): " + "; ".join(dropped) + ".", ""]
    carried = {name: n for name, n in save_rates.get("carried_over", {}).items() if n}
    if carried:
        out += ["Customers treated in an earlier campaign are left out of a later one's learning (their outcome is "
                "no longer that of an untreated customer): " + ", ".join(f"{n} in {name}" for name, n in
                                                                          carried.items()) + ".", ""]
    out += ["The incremental profit is the value at stake the offers kept (the arms' difference in buying less, "
            "weighted by value at stake, times the treated customers' value at stake) minus the spend: observed "
            "outcomes, valued at `campaign.loss_share` of the monthly profit for `horizon_months`.", "",
            "The save rate used now updates the assumption with every campaign's treated customers, each measured "
            "against their own probability of buying less without an offer (the model's, refitted on the campaigns' "
            "untreated customers where they show it off) rather than against the control arm alone, so it need not "
            "lie between the assumed and the measured rate; per customer group where the rate differs "
            "(docs/campaign.md, \"What the next plan learns\"). The next `dvc repro` plans with it.", "",
            f"![Save rate per offer]({image})", ""]
    return out


def _differs(found: dict | None) -> str:
    if not found:
        return "–"
    if found["differs"]:
        return "yes: " + ", ".join(f"{where} {rate:.2f}" for where, rate in found["groups"].items())
    p = found.get("p_value")
    if p is None:
        return "no detectable difference"
    return f"no detectable difference (best split p = {p:.2f}; a split needs p ≤ {found['alpha']:g})"
