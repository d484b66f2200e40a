"""What several test modules share: builders, fakes, emulator handles and fault injectors.
Test modules import helpers from here only, never from one another or from a conftest.
"""
