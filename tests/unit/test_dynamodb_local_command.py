"""DynamoDB Local's command line: the JVM's options before `-jar` (after it they would be
DynamoDB Local's arguments, which it refuses), its own after."""

from pathlib import Path

from warehouse_devstack.backends.dynamodb_local import JVM_OPTIONS, java_command

JAR = Path("/opt/ddb/DynamoDBLocal.jar")


def test_jvm_options_come_before_the_jar_and_the_emulator_s_after() -> None:
    command = java_command("java", JAR, 8000, ["-inMemory"])

    jar_at = command.index("-jar")
    assert command[jar_at + 1] == str(JAR)
    assert set(JVM_OPTIONS) <= set(command[:jar_at])
    assert command[jar_at + 2 :] == ["-sharedDb", "-disableTelemetry", "-port", "8000", "-inMemory"]
