"""Fuzzing of every reader (issue 13): harness.py runs the campaigns, mutate.py damages the
seeds in seeds/, targets.py says how each reader is called; test_fuzz.py is the quick slice
(`make test`) and the long run (`make test-slow`), test_hostile_cases.py the hand-made cases."""
