from buurtnet.cli import main

main()
