"""The local template reader resolves the intrinsics template.yaml uses for its optional settings:
conditions (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`), `Fn::If`,
`Ref: AWS::NoValue` (the property or item disappears) and `Fn::FindInMap`."""

from pathlib import Path

import pytest

from warehouse_devstack.template import NO_VALUE, Template

DOCUMENT = """
Parameters:
  KeyArn: {Type: String, Default: ""}
  Level: {Type: String, Default: WARNING}
Conditions:
  HasKey: !Not [!Equals [!Ref KeyArn, ""]]
  NoKey: !Equals [!Ref KeyArn, ""]
  Both: !And [!Condition HasKey, !Not [!Condition NoKey]]
  Either: !Or [!Condition HasKey, !Equals [!Ref Level, WARNING]]
Mappings:
  Levels:
    WARNING: {Lambda: WARN}
    INFO: {Lambda: INFO}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: !If [HasKey, !Ref AWS::NoValue, true]
      KmsMasterKeyId: !If [HasKey, !Ref KeyArn, !Ref AWS::NoValue]
      Tags:
        - {Key: a, Value: "1"}
        - !If [HasKey, {Key: key, Value: !Ref KeyArn}, !Ref AWS::NoValue]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Environment:
        Variables:
          LEVEL: !FindInMap [Levels, !Ref Level, Lambda]
          KEY: !If [HasKey, !Ref KeyArn, !Ref AWS::NoValue]
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    written = tmp_path / "template.yaml"
    written.write_text(DOCUMENT)
    return written


def test_conditions_follow_the_parameters(path: Path) -> None:
    default = Template(path)
    keyed = Template(path, {"KeyArn": "arn:k", "Level": "INFO"})
    assert [default.condition(name) for name in ("HasKey", "NoKey", "Both", "Either")] == [
        False,
        True,
        False,
        True,
    ]
    assert [keyed.condition(name) for name in ("HasKey", "NoKey", "Both", "Either")] == [
        True,
        False,
        True,
        True,
    ]


def test_no_value_drops_the_property_or_the_list_item(path: Path) -> None:
    default = Template(path)
    keyed = Template(path, {"KeyArn": "arn:k"})
    queue = default.resources["Queue"]["Properties"]
    assert default.resolve(queue) == {
        "SqsManagedSseEnabled": True,
        "Tags": [{"Key": "a", "Value": "1"}],
    }
    assert keyed.resolve(queue) == {
        "KmsMasterKeyId": "arn:k",
        "Tags": [{"Key": "a", "Value": "1"}, {"Key": "key", "Value": "arn:k"}],
    }
    assert default.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_function_environment_drops_no_value_and_reads_mappings(path: Path) -> None:
    assert Template(path).function("Fn").environment == {"LEVEL": "WARN"}
    keyed = Template(path, {"KeyArn": "arn:k", "Level": "INFO"})
    assert keyed.function("Fn").environment == {"LEVEL": "INFO", "KEY": "arn:k"}


def test_an_unknown_condition_form_is_refused(path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported condition"):
        Template(path)._evaluate({"Fn::Contains": [["a"], "a"]})
