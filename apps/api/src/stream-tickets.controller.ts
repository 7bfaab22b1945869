import { Controller, Header, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles, StreamTickets, type VerifiedPrincipal } from '@trial/auth';
import { StreamTicketDto } from './dto/readout.dto';

/**
 * `POST /stream-tickets`: a one-use, 30-second ticket that opens the caller's SSE stream
 * (`GET /trials/:id/stream?ticket=`), since EventSource cannot send the bearer header.
 */
@ApiTags('read-out')
@ApiBearerAuth()
@Controller('stream-tickets')
export class StreamTicketsController {
  constructor(private readonly tickets: StreamTickets) {}

  @Post()
  @Roles('monitor', 'dsmb')
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: StreamTicketDto, description: '{ ticket, expiresAt }: spent by the first stream it opens, or refused after expiresAt' })
  issue(@CurrentUser() user: VerifiedPrincipal): StreamTicketDto {
    return this.tickets.issue(user);
  }
}
