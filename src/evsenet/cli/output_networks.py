"""What the networks and groups commands print: tables, sentences, JSON, refused EVSEs.

Like `evsenet.cli.output`: human output on stdout through Rich, one JSON document with
--json, errors as one line on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Column, Table

from evsenet.cli.output import print_error, print_json, say, stdout
from evsenet.domain.network import AssignmentRefused, AssignmentReport, EvseRefusal
from evsenet.domain.network_lists import GroupView, NetworkDetail, NetworkSummary, NetworkView


def _evses(count: int) -> str:
    return f"{count} EVSE" if count == 1 else f"{count} EVSEs"


def _groups(count: int) -> str:
    return f"{count} group" if count == 1 else f"{count} groups"


def network_json(network: NetworkView | NetworkSummary | NetworkDetail) -> dict[str, object]:
    """A network as JSON: the keys of `/api/v1/networks`."""
    body: dict[str, object] = {
        "id": network.id,
        "name": network.name,
        "description": network.description,
        "status": network.status.value,
        "created_at": network.created_at.isoformat(),
    }
    if isinstance(network, NetworkSummary | NetworkDetail):
        body["group_count"] = network.group_count
        body["evse_count"] = network.evse_count
    if isinstance(network, NetworkDetail):
        body["groups"] = [group_json(group) for group in network.groups]
    return body


def group_json(group: GroupView) -> dict[str, object]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "evse_count": group.evse_count,
    }


def describe_network(network: NetworkView | NetworkSummary | NetworkDetail) -> str:
    """`'Germany' (id 3, draft)`."""
    return f"{network.name!r} (id {network.id}, {network.status.value})"


def print_network(
    network: NetworkView | NetworkSummary | NetworkDetail, as_json: bool, sentence: str
) -> None:
    """One network: `sentence` for a person (it names the network), or its JSON."""
    if as_json:
        print_json(network_json(network))
        return
    say(sentence)


def print_networks(networks: Sequence[NetworkSummary], as_json: bool) -> None:
    """The operator's networks, alphabetically, with their group and EVSE counts."""
    if as_json:
        print_json(
            {"total": len(networks), "items": [network_json(network) for network in networks]}
        )
        return
    table = Table(
        Column("ID", justify="right", no_wrap=True),
        Column("Name", overflow="fold"),
        Column("Description", overflow="fold"),
        Column("Status", no_wrap=True),
        Column("Groups", justify="right", no_wrap=True),
        Column("EVSEs", justify="right", no_wrap=True),
        Column("Created", no_wrap=True),
    )
    for network in networks:
        table.add_row(
            str(network.id),
            network.name,
            network.description,
            network.status.value,
            str(network.group_count),
            str(network.evse_count),
            f"{network.created_at:%Y-%m-%d %H:%M} UTC",
        )
    stdout().print(table)
    say(f"{len(networks)} network{'s' if len(networks) != 1 else ''}")


def print_network_detail(network: NetworkDetail, unassigned: int, as_json: bool) -> None:
    """A network, its groups with their EVSE counts, and the operator's EVSEs in no group
    (which an offer on this network prices at zero)."""
    if as_json:
        print_json({**network_json(network), "unassigned_count": unassigned})
        return
    say(
        f"Network {describe_network(network)}: {_groups(network.group_count)}, "
        f"{_evses(network.evse_count)} assigned"
    )
    if network.description:
        say(network.description)
    table = Table(
        Column("ID", justify="right", no_wrap=True),
        Column("Group", overflow="fold"),
        Column("Description", overflow="fold"),
        Column("EVSEs", justify="right", no_wrap=True),
    )
    for group in network.groups:
        table.add_row(str(group.id), group.name, group.description, str(group.evse_count))
    if network.groups:
        stdout().print(table)
    say(
        f"{_evses(unassigned)} of the operator in no group"
        + (" (priced at zero by an offer on this network)" if unassigned else "")
    )


def print_report(report: AssignmentReport, as_json: bool, sentence: str) -> None:
    """What a bulk assignment or unassignment did."""
    if as_json:
        print_json(
            {
                "assigned": report.assigned,
                "moved": report.moved,
                "unchanged": report.unchanged,
                "unassigned": report.unassigned,
            }
        )
        return
    say(
        f"{sentence}: assigned {report.assigned}, moved {report.moved}, "
        f"unassigned {report.unassigned}, unchanged {report.unchanged}"
    )


def refusal_json(refusal: EvseRefusal) -> dict[str, object]:
    return refusal.as_dict()


def print_refused(error: AssignmentRefused, as_json: bool) -> None:
    """A refused bulk request: every refused EVSE the service reported and why, then the
    error line. Nothing was written."""
    problems = error.problems
    if as_json:
        print_json(
            {
                "error": {"code": error.code, "message": error.message, "field": error.field},
                "refused": error.refused,
                "errors": [refusal_json(problem) for problem in problems],
            }
        )
    else:
        table = Table(
            Column("Index", justify="right", no_wrap=True),
            Column("EVSE ID", overflow="fold"),
            Column("Code", no_wrap=True),
            Column("Message", min_width=20),
            title="Refused EVSEs",
        )
        for problem in problems:
            index = "" if problem.position is None else str(problem.position)
            table.add_row(index, problem.evse_id, problem.code, problem.message)
        stdout().print(table)
        if error.refused > len(problems):
            say(f"… and {error.refused - len(problems)} more refused EVSEs")
        say("Nothing was written: fix or leave out the refused EVSEs and run it again.")
    print_error(error.code, error.message)
