using DataFirst.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Isolated worker host: ASP.NET Core integration for HTTP; the Durable Task, Blob and HTTP
// extensions register themselves from their packages. Everything the functions call is Core.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services
    .AddApplicationInsightsTelemetryWorkerService()
    .ConfigureFunctionsApplicationInsights();
builder.Services.AddDataFirstPipeline(builder.Configuration);
builder.Build().Run();
