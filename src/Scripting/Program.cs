using DaFormer.Cli;

return CliApp.Run(args);
