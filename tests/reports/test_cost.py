"""streamfabric cost: the estimate, checked by hand against the shipped price table; the table's
provenance; the live Price List API path (botocore Stubber, exact requests) and its fallback."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from streamfabric.cli.main import main
from streamfabric.reports.cost import (
    HOURS_PER_MONTH,
    LIVE_QUERIES,
    PriceError,
    PriceTable,
    estimate,
    fetch_live_prices,
    format_table,
    load_prices,
    parse_prices,
)
from streamfabric.topology.loading import load_topology
from streamfabric.topology.model import InternalHop

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "examples" / "festival.json"
MINIMAL = ROOT / "examples" / "minimal.json"
PRICES = ROOT / "src" / "streamfabric" / "reports" / "data" / "prices.json"


@pytest.fixture(scope="module")
def festival():
    return load_topology(str(FESTIVAL))


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return load_prices()


@pytest.fixture(scope="module")
def report(festival, table):
    return estimate(festival, table, hours=72, bitrate_mbps=10)


# -- the shipped table ----------------------------------------------------------------------


def test_shipped_table_says_when_and_where_its_prices_come_from():
    document = json.loads(PRICES.read_text())
    assert document["as_of"] == "2026-11-24"
    assert document["source"] and "mediaconnect-notes.md" in document["source"]
    assert document["currency"] == "USD" and document["region"] == "us-east-1"
    assert document["notes"], "the table must say what could not be verified"
    for key, entry in document["prices"].items():
        assert entry["basis"] in {"design-notes", "unverified"}, key
        assert entry["source"], key
    unverified = {k for k, e in document["prices"].items() if e["basis"] == "unverified"}
    assert {"mediaconnect_flow_hour", "mediaconnect_internet_out_gb"} <= unverified
    assert any("UNVERIFIED" in note for note in document["notes"])


def test_shipped_table_figures_match_the_design_notes(table):
    # shared/design/mediaconnect-notes.md, Costs
    assert table["vpc_peering_hour"].price == 0.0
    assert table["inter_region_gb"].price == 0.02
    assert table["tgw_attachment_hour"].price == 0.05
    assert table["tgw_data_processed_gb"].price == 0.02
    assert table["public_ipv4_hour"].price == 0.005


def test_a_malformed_or_incomplete_table_is_refused():
    with pytest.raises(PriceError, match="malformed"):
        parse_prices({"prices": {}})
    with pytest.raises(PriceError, match=r"missing prices: .*nlb_hour"):
        document = json.loads(PRICES.read_text())
        del document["prices"]["nlb_hour"]
        parse_prices(document)
    with pytest.raises(PriceError, match="negative"):
        document = json.loads(PRICES.read_text())
        document["prices"]["nlb_hour"]["price"] = -1
        parse_prices(document)


# -- the figures, by hand -------------------------------------------------------------------


def test_line_items_recomputed_by_hand_from_the_table(report):
    # 6 ingest flows x 72 h x $0.08 per flow-hour
    ingest = report.item("mediaconnect.ingest-flows")
    assert ingest.quantity == 6 * 72
    assert ingest.monthly == pytest.approx(6 * 72 * 0.08) == pytest.approx(34.56)
    # Live + Preview: 2 flows x 72 h x $0.08
    assert report.item("mediaconnect.hub-flows").monthly == pytest.approx(2 * 72 * 0.08)  # 11.52
    # 10 Mbps = 10 x 3600 / 8 / 1000 = 4.5 GB/h; 2 streams cross regions x 72 h x 4.5 GB x $0.02
    cross = report.item("data.cross-region")
    assert cross.quantity == pytest.approx(2 * 72 * 4.5)
    assert cross.monthly == pytest.approx(2 * 72 * 4.5 * 0.02) == pytest.approx(12.96)
    # 3 downstream outputs x 72 h x 4.5 GB x $0.09
    assert report.item("data.outputs-to-internet").monthly == pytest.approx(3 * 72 * 4.5 * 0.09)  # 87.48
    # 3 spokes peered with the hub, no hourly charge
    peering = report.item("network.vpc-peering")
    assert (peering.quantity, peering.monthly, peering.always_on) == (3 * 730, 0.0, True)
    # public addresses: (6 ingest + 2 hub flows) x 72 h x $0.005
    ipv4 = report.item("public-ipv4.ingests").monthly + report.item("public-ipv4.hub").monthly
    assert ipv4 == pytest.approx(8 * 72 * 0.005)  # 2.88
    # generated hop secret, one copy in each of the 4 regions, $0.40 each
    assert report.item("secrets.hop-secret").monthly == pytest.approx(4 * 0.40)
    assert report.total == pytest.approx(34.56 + 11.52 + 87.48 + 12.96 + 0 + 2.16 + 0.72 + 1.60)  # 151.00
    assert report.always_on == pytest.approx(1.60)


def test_alternatives_recomputed_by_hand(report):
    # Transit Gateway: 4 VPC attachments + 3 peering attachments, all 730 h, at $0.05;
    # plus $0.02 per GB of the cross-region hop (648 GB); the $0 peering goes away
    tgw = report.alternative("transit-gateway")
    assert tgw.extra == pytest.approx(4 * 730 * 0.05 + 3 * 730 * 0.05 + 648 * 0.02)  # 268.46
    assert tgw.always_on == pytest.approx(4 * 730 * 0.05 + 3 * 730 * 0.05 + 1.60)
    # NLBs: one per ingest region (4) x 730 h x $0.0225, 6 streams x 72 h x 4.5 GB = 1944 NLCU-hours
    # x $0.006, an Elastic IP each (4 x 730 h x $0.005); the ingest flows' public addresses go away
    nlb = report.alternative("load-balancers")
    expected = 4 * 730 * 0.0225 + 1944 * 0.006 + 4 * 730 * 0.005 - 6 * 72 * 0.005
    assert nlb.extra == pytest.approx(expected)  # 89.80
    both = report.alternative("both")
    assert both.extra == pytest.approx(tgw.extra + nlb.extra)
    # the point of the design: with no event running it costs almost nothing; the others do not
    assert report.always_on < 2 < 80 < nlb.always_on < tgw.always_on < both.always_on
    assert all(alt.total > report.total for alt in report.alternatives)


def test_no_cross_region_data_when_every_ingest_is_in_the_hub(festival, table):
    local = replace(festival, ingests=festival.ingests_in("eu-west-1"))
    result = estimate(local, table, hours=10, bitrate_mbps=5)
    assert result.item("data.cross-region").monthly == 0
    assert result.item("mediaconnect.ingest-flows").quantity == 2 * 10
    assert result.alternative("load-balancers").added[0].quantity == 1 * HOURS_PER_MONTH


def test_a_topology_without_a_generated_secret_has_no_secret_line(festival, table):
    assert festival.internal_hop.generate_secret
    given = replace(
        festival, internal_hop=InternalHop(passphrase_secret=festival.ingests[0].passphrase_secret)
    )
    keys = {i.key for i in estimate(given, table, hours=1, bitrate_mbps=1).items}
    assert "secrets.hop-secret" not in keys


def test_zero_hours_leaves_only_the_always_on_costs(festival, table):
    idle = estimate(festival, table, hours=0, bitrate_mbps=10)
    assert idle.total == pytest.approx(idle.always_on) == pytest.approx(1.60)


@pytest.mark.parametrize(("hours", "bitrate"), [(-1, 10), (731, 10), (10, -1)])
def test_impossible_inputs_are_refused(festival, table, hours, bitrate):
    with pytest.raises(ValueError):
        estimate(festival, table, hours=hours, bitrate_mbps=bitrate)


def test_table_output_shows_items_totals_and_alternatives(report):
    text = format_table(report)
    assert "festival: estimated monthly running cost (72 h of flows a month, 10 Mbps per stream)" in text
    assert "as of 2026-11-24" in text
    assert "$34.56" in text and "$151.00" in text
    assert "Transit Gateway instead of VPC peering: $419.46 a month, $268.46 more than the design" in text
    assert "Network Load Balancers in front of the ingests: $240.80 a month" in text
    assert "~ unverified price" in text
    assert "6 flows x 72 h" in text


def test_json_report_round_trips(report):
    data = json.loads(json.dumps(report.as_dict()))
    assert data["design"]["total"] == 151.0
    assert data["prices"]["as_of"] == "2026-11-24" and data["prices"]["live"] is False
    assert {a["key"] for a in data["alternatives"]} == {"transit-gateway", "load-balancers", "both"}
    first = data["design"]["items"][0]
    assert first == {
        "key": "mediaconnect.ingest-flows",
        "label": "MediaConnect ingest flows",
        "basis": "6 flows x 72 h",
        "quantity": 432.0,
        "unit": "flow-hour",
        "unit_price": 0.08,
        "price_key": "mediaconnect_flow_hour",
        "monthly": 34.56,
        "always_on": False,
        "note": "",
    }


# -- the command ----------------------------------------------------------------------------


def test_cli_table_and_json(capsys):
    assert main(["cost", str(FESTIVAL)]) == 0
    assert "$151.00" in capsys.readouterr().out
    assert main(["cost", str(MINIMAL), "--hours", "5", "--bitrate-mbps", "8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hours"] == 5 and data["bitrate_mbps"] == 8
    # minimal: 1 ingest (remote) + 2 hub flows for 5 h; 2 streams x 5 h x 3.6 GB cross regions
    items = {i["key"]: i for i in data["design"]["items"]}
    assert items["mediaconnect.ingest-flows"]["monthly"] == pytest.approx(1 * 5 * 0.08)
    assert items["data.cross-region"]["quantity"] == pytest.approx(2 * 5 * 3.6)


def test_cli_rejects_impossible_hours(capsys):
    assert main(["cost", str(FESTIVAL), "--hours", "1000"]) == 2
    assert "hours must be between 0 and 730" in capsys.readouterr().err


# -- live prices ----------------------------------------------------------------------------


def _product(price: str, unit: str, description: str, begin: str = "0") -> str:
    return json.dumps(
        {
            "product": {"attributes": {"regionCode": "eu-west-1"}},
            "terms": {
                "OnDemand": {
                    "SKU.TERM": {
                        "priceDimensions": {
                            "SKU.TERM.RATE": {
                                "unit": unit,
                                "pricePerUnit": {"USD": price},
                                "description": description,
                                "beginRange": begin,
                                "endRange": "Inf",
                            }
                        }
                    }
                }
            },
        }
    )


# Exactly what streamfabric asks the Price List API, query by query, for the hub region eu-west-1.
EXPECTED_REQUESTS = [
    {
        "ServiceCode": "AWSElementalMediaConnect",
        "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AWSElementalMediaConnect",
        "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AWSDataTransfer",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "fromRegionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "transferType", "Value": "InterRegion Outbound"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AmazonVPC",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "CONTAINS", "Field": "usagetype", "Value": "PublicIPv4:InUseAddress"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AmazonVPC",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "operation", "Value": "TransitGatewayVPC"},
            {"Type": "CONTAINS", "Field": "usagetype", "Value": "TransitGateway-Hours"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AmazonVPC",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "operation", "Value": "TransitGatewayVPC"},
            {"Type": "CONTAINS", "Field": "usagetype", "Value": "TransitGateway-Bytes"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AWSELB",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Load Balancer-Network"},
            {"Type": "CONTAINS", "Field": "usagetype", "Value": "LoadBalancerUsage"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AWSELB",
        "Filters": [
            {"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"},
            {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "Load Balancer-Network"},
            {"Type": "CONTAINS", "Field": "usagetype", "Value": "LCUUsage"},
        ],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
    {
        "ServiceCode": "AWSSecretsManager",
        "Filters": [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-1"}],
        "FormatVersion": "aws_v1",
        "MaxResults": 100,
    },
]

ANSWERS = [
    [
        _product("0.0900000000", "Hrs", "$0.09 per hour for a transport stream flow in EU (Ireland)"),
        _product("0.5000000000", "Hrs", "$0.50 per hour for a CDI flow in EU (Ireland)"),
        _product("0.0500000000", "Hrs", "$0.05 per hour for reserved flow bandwidth"),
    ],
    [
        _product("0.0700000000", "GB", "$0.07 per GB data transfer out to the internet, first 10 TB"),
        _product("0.0500000000", "GB", "$0.05 per GB data transfer out to the internet, next 40 TB", "10240"),
    ],
    [
        _product("0.0200000000", "GB", "$0.02 per GB - EU (Ireland) data transfer to US East (N. Virginia)"),
        _product("0.0200000000", "GB", "$0.02 per GB - EU (Ireland) data transfer to US West (Oregon)"),
        _product("0.0900000000", "GB", "$0.09 per GB - EU (Ireland) data transfer to Asia Pacific (Sydney)"),
    ],
    [_product("0.0050000000", "Hrs", "$0.005 per In-use public IPv4 address per hour")],
    [_product("0.0500000000", "hours", "$0.05 per Transit Gateway attachment hour")],
    [_product("0.0200000000", "GB", "$0.02 per GB of data processed by Transit Gateway")],
    [_product("0.0252000000", "Hrs", "$0.0252 per Network LoadBalancer-hour (or partial hour)")],
    [_product("0.0060000000", "LCU-Hrs", "$0.006 per used Network LCU-hour (or partial hour)")],
    [
        _product("0.4000000000", "Secrets", "$0.40 per secret per month"),
        _product("0.0500000000", "API Requests", "$0.05 per 10,000 API requests"),
    ],
]


def _client():
    return boto3.client("pricing", region_name="us-east-1")


def test_live_prices_send_exactly_these_requests_and_parse_the_answers(table):
    assert len(LIVE_QUERIES) == len(EXPECTED_REQUESTS)
    client = _client()
    with Stubber(client) as stub:
        for request, answer in zip(EXPECTED_REQUESTS, ANSWERS, strict=True):
            stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": answer}, request)
        live = fetch_live_prices(client, table, "eu-west-1", today=lambda: "2026-12-01")
        stub.assert_no_pending_responses()
    assert live.live and live.region == "eu-west-1" and live.as_of == "2026-12-01"
    got = {k: p.price for k, p in live.prices.items()}
    assert got["mediaconnect_flow_hour"] == 0.09  # the transport-stream flow, not CDI nor reserved
    assert got["mediaconnect_internet_out_gb"] == 0.07  # first tier
    assert got["inter_region_gb"] == 0.02  # the usual rate among the region pairs
    assert got["public_ipv4_hour"] == 0.005
    assert got["tgw_attachment_hour"] == 0.05
    assert got["tgw_data_processed_gb"] == 0.02
    assert got["nlb_hour"] == 0.0252
    assert got["nlb_lcu_hour"] == 0.006
    assert got["secret_month"] == 0.40
    assert got["vpc_peering_hour"] == 0.0  # not queried: no hourly charge
    assert all(live.prices[k].basis == "live" for k in got if k != "vpc_peering_hour")
    assert live.notes[0] == "live prices from the AWS Price List API for eu-west-1, fetched 2026-12-01"


def test_live_prices_follow_next_token(table):
    client = _client()
    first = dict(EXPECTED_REQUESTS[0])
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"FormatVersion": "aws_v1", "PriceList": [], "NextToken": "page-2"},
            first,
        )
        stub.add_response("get_products", {"PriceList": ANSWERS[0]}, {**first, "NextToken": "page-2"})
        for request, answer in zip(EXPECTED_REQUESTS[1:], ANSWERS[1:], strict=True):
            stub.add_response("get_products", {"PriceList": answer}, request)
        live = fetch_live_prices(client, table, "eu-west-1", today=lambda: "2026-12-01")
        stub.assert_no_pending_responses()
    assert live.prices["mediaconnect_flow_hour"].price == 0.09


def test_a_price_the_api_does_not_yield_keeps_the_table_figure_with_a_note(table):
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("get_products", {"PriceList": []}, EXPECTED_REQUESTS[0])
        for request, answer in zip(EXPECTED_REQUESTS[1:], ANSWERS[1:], strict=True):
            stub.add_response("get_products", {"PriceList": answer}, request)
        live = fetch_live_prices(client, table, "eu-west-1", today=lambda: "2026-12-01")
    assert live.prices["mediaconnect_flow_hour"] == table["mediaconnect_flow_hour"]
    assert any("no matching price for mediaconnect_flow_hour" in n for n in live.notes)


def test_any_api_error_falls_back_to_the_table_with_a_clear_note(table):
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_products", service_error_code="AccessDeniedException", service_message="not allowed"
        )
        fallback = fetch_live_prices(client, table, "eu-west-1")
    assert not fallback.live
    assert fallback.prices == table.prices and fallback.as_of == table.as_of
    assert fallback.notes[0].startswith("live prices unavailable (")
    assert "AccessDeniedException: not allowed" in fallback.notes[0]
    assert "using the shipped table of 2026-11-24" in fallback.notes[0]


def test_cli_live_prices_without_credentials_falls_back(monkeypatch, capsys):
    import streamfabric.reports.cost as cost

    def no_credentials(table, region, *, session=None):
        client = _client()
        stub = Stubber(client)
        stub.add_client_error("get_products", service_error_code="UnrecognizedClientException")
        stub.activate()
        return cost.fetch_live_prices(client, table, region)

    monkeypatch.setattr("streamfabric.cli.commands.cost.live_prices", no_credentials)

    class Args:
        topology = str(FESTIVAL)
        hours = 72.0
        bitrate_mbps = 10.0
        json = False
        live_prices = True

    from streamfabric.cli.commands import cost as command

    assert command.run(Args()) == 0  # type: ignore[arg-type]
    captured = capsys.readouterr()
    assert "warning: live prices unavailable (" in captured.err
    assert "$151.00" in captured.out
