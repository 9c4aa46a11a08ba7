"""RBAC objects: Role, ClusterRole, RoleBinding and ClusterRoleBinding.

A role's rules are broken down to one verb per (group, resource, resource name) and then
compacted back per (group, resource, resource name) — kubectl's BreakdownRule and CompactRules
— and sorted by their Go ``String()`` form, which starts with the verbs. A rule with no
``apiGroups`` contributes no resource rows, as in kubectl. Neither shows events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pykctl.describe.format import Obj, go_list, items, text, write_metadata
from pykctl.describe.writer import LEVEL_0, LEVEL_1, Writer


@dataclass
class Rule:
    """One PolicyRule, its lists as Go slices."""

    verbs: list[str] = field(default_factory=list)
    api_groups: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    resource_names: list[str] = field(default_factory=list)
    non_resource_urls: list[str] = field(default_factory=list)

    def go_string(self) -> str:
        """The generated ``PolicyRule.String()`` kubectl sorts by."""
        return (
            f"&PolicyRule{{Verbs:{go_list(self.verbs)},APIGroups:{go_list(self.api_groups)},"
            f"Resources:{go_list(self.resources)},ResourceNames:{go_list(self.resource_names)},"
            f"NonResourceURLs:{go_list(self.non_resource_urls)},}}"
        )


def _strings(rule: Any, key: str) -> list[str]:
    return [str(v) for v in items(rule, key)]


def breakdown(rule: Any) -> list[Rule]:
    """kubectl's BreakdownRule: one verb, resource and resource name per rule."""
    verbs, names = _strings(rule, "verbs"), _strings(rule, "resourceNames")
    found = []
    for group in _strings(rule, "apiGroups"):
        for resource in _strings(rule, "resources"):
            for verb in verbs:
                for name in names or [""]:
                    found.append(Rule([verb], [group], [resource], [name] if names else []))
    for url in _strings(rule, "nonResourceURLs"):
        found.extend(Rule([verb], non_resource_urls=[url]) for verb in verbs)
    return found


def compact(rules: list[Rule]) -> list[Rule]:
    """kubectl's CompactRules: merge the verbs of rules on one (group, resource, name)."""
    complex_rules: list[Rule] = []
    simple: dict[tuple[str, str, bool, str], Rule] = {}
    for rule in rules:
        if (
            len(rule.resource_names) > 1
            or rule.non_resource_urls
            or len(rule.api_groups) != 1
            or len(rule.resources) != 1
        ):
            complex_rules.append(rule)
            continue
        name = rule.resource_names[0] if rule.resource_names else ""
        key = (rule.api_groups[0], rule.resources[0], bool(rule.resource_names), name)
        if key in simple:
            existing = simple[key]
            existing.verbs.extend(v for v in rule.verbs if v not in existing.verbs)
        else:
            simple[key] = Rule(
                list(rule.verbs),
                list(rule.api_groups),
                list(rule.resources),
                list(rule.resource_names),
            )
    return complex_rules + list(simple.values())


def combine_resource_group(resources: list[str], groups: list[str]) -> str:
    """kubectl's CombineResourceGroup: ``deployments.apps/scale``."""
    if not resources:
        return ""
    resource, slash, sub = resources[0].partition("/")
    combined = resource
    if groups and groups[0]:
        combined += "." + groups[0]
    return combined + (f"/{sub}" if slash else "")


def describe_role(role: Obj) -> str:
    """``kubectl describe role`` / ``clusterrole``."""
    rules = compact([r for rule in items(role, "rules") for r in breakdown(rule)])
    rules.sort(key=Rule.go_string)
    w = Writer()
    write_metadata(w, role, namespace=False)
    w.write(LEVEL_0, "PolicyRule:\n")
    w.write(LEVEL_1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(LEVEL_1, "---------\t-----------------\t--------------\t-----\n")
    for r in rules:
        w.write(
            LEVEL_1,
            f"{combine_resource_group(r.resources, r.api_groups)}\t{go_list(r.non_resource_urls)}"
            f"\t{go_list(r.resource_names)}\t{go_list(r.verbs)}\n",
        )
    return w.getvalue()


def describe_binding(binding: Obj) -> str:
    """``kubectl describe rolebinding`` / ``clusterrolebinding``."""
    w = Writer()
    write_metadata(w, binding, namespace=False)
    w.write(LEVEL_0, "Role:\n")
    w.write(LEVEL_1, f"Kind:\t{text(binding, 'roleRef', 'kind')}\n")
    w.write(LEVEL_1, f"Name:\t{text(binding, 'roleRef', 'name')}\n")
    w.write(LEVEL_0, "Subjects:\n")
    w.write(LEVEL_1, "Kind\tName\tNamespace\n")
    w.write(LEVEL_1, "----\t----\t---------\n")
    for s in items(binding, "subjects"):
        w.write(LEVEL_1, f"{text(s, 'kind')}\t{text(s, 'name')}\t{text(s, 'namespace')}\n")
    return w.getvalue()
